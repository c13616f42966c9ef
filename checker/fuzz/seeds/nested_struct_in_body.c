#include <pthread.h>
static pthread_mutex_t mu;
void cb(unsigned long long data, signed char code);
void f(void)
{
    pthread_mutex_lock(&mu);
    struct a { int x; struct b { int y; struct c { int z; } m2; } m1; } v;
    v.m1.m2.z = 1;
    cb(0, 1);
    pthread_mutex_unlock(&mu);
}
