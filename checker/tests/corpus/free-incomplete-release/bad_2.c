/* A switch on the state that forgets one state's resources. */
#include <stdlib.h>
#include <unistd.h>
#include "asyncabi/annotations.h"

enum state { IDLE, CONNECTING, READING };
struct op { enum state state; int fd; char *buf; };

AA_FREE_FN void op_free(struct op *o)
{
    switch (o->state) {
    case IDLE:
        break;
    case CONNECTING:
        close(o->fd); // expect: free-incomplete-release@9
        break;
    case READING:
        close(o->fd);
        free(o->buf); // expect: free-incomplete-release@9
        break;
    }
    free(o);
}
