// expect: SSE register return with SSE disabled|floating point used
double f(double a, double b) { return a * b + 1.5; }
