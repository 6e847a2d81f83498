// expect: thread-local storage
thread_local int counter;
int f(void) { return ++counter; }
