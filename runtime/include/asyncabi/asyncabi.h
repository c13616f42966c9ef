/* asyncabi/asyncabi.h: the whole public API of libasyncabi, for C producers. */
#ifndef ASYNCABI_ASYNCABI_H
#define ASYNCABI_ASYNCABI_H

#include "asyncabi/abi.h"
#include "asyncabi/annotations.h"
#include "asyncabi/buffer.h"
#include "asyncabi/ffi.h"
#include "asyncabi/foreign.h"
#include "asyncabi/future.h"
#include "asyncabi/object.h"
#include "asyncabi/observe.h"
#include "asyncabi/timer.h"
#include "asyncabi/types.h"
#include "asyncabi/waker.h"

#endif /* ASYNCABI_ASYNCABI_H */
