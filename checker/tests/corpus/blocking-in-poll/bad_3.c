/* A binding's continuation that joins a thread and runs a shell command. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

static pthread_t worker;

void on_continuation(uint64_t data, int8_t poll_result)
{
    (void)data;
    if (poll_result == 0) {
        pthread_join(worker, NULL); // expect: blocking-in-poll@9
        system("echo ready"); // expect: blocking-in-poll@9
    }
}
