// expect: SSE register return with SSE disabled|floating point used
int f(int a)
{
	float x = static_cast<float>(a) * 0.5f;
	return static_cast<int>(x);
}
