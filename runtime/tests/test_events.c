/* The event hook sees every op of a lifecycle, in order, with handle, data and code; foreign
 * calls report FOREIGN_CALL / FOREIGN_COMPLETE / FOREIGN_DROPPED; removing the hook stops it. */
#include <string.h>

#include "foreign_harness.h"

#define MAX 64
static aa_event seen[MAX];
static char names[MAX][32];
static int count;

static void record(const aa_event *e, void *user)
{
    CHECK(user == (void *)&count);
    CHECK(count < MAX);
    seen[count] = *e;
    snprintf(names[count], sizeof names[count], "%s", e->name ? e->name : "");
    seen[count].name = names[count];
    count++;
}

static void expect(int i, aa_op op, uint64_t handle, int32_t code)
{
    if (seen[i].op != op || seen[i].handle != handle || seen[i].code != code) {
        fprintf(stderr, "event %d: got %s handle %llx code %d, want %s code %d\n", i,
                aa_op_name(seen[i].op), (unsigned long long)seen[i].handle, seen[i].code,
                aa_op_name(op), code);
        exit(1);
    }
}

static void quiet(uint64_t data, int8_t code)
{
    (void)data;
    (void)code;
}

int main(void)
{
    th_misuse_install();
    aa_set_event_hook(record, &count);
    th_manual *m;
    uint64_t h = th_manual_new(AA_TYPE_U16, NULL, &m);
    aa_future_poll(AA_TYPE_U16, h, quiet, 11);
    th_manual_set_ready(m);
    aa_future_poll(AA_TYPE_U16, h, quiet, 77);
    RustCallStatus st = {0};
    aa_future_complete(AA_TYPE_U16, h, &st);
    aa_future_cancel(AA_TYPE_U16, h);
    aa_future_free(AA_TYPE_U16, h);

    CHECK_EQ(count, 9);
    expect(0, AA_OP_FUTURE_NEW, h, 0);
    CHECK(strcmp(seen[0].name, "manual") == 0);
    CHECK_EQ(seen[0].type, AA_TYPE_U16);
    expect(1, AA_OP_POLL, h, 0);
    CHECK_EQ(seen[1].data, 11);
    expect(2, AA_OP_WAKE, h, 0);
    expect(3, AA_OP_CONTINUATION, h, UNIFFI_RUST_FUTURE_POLL_WAKE);
    CHECK_EQ(seen[3].data, 11);
    expect(4, AA_OP_POLL, h, 0);
    CHECK_EQ(seen[4].data, 77);
    expect(5, AA_OP_CONTINUATION, h, UNIFFI_RUST_FUTURE_POLL_READY);
    CHECK_EQ(seen[5].data, 77);
    expect(6, AA_OP_COMPLETE, h, UNIFFI_CALL_SUCCESS);
    expect(7, AA_OP_CANCEL, h, 0);
    expect(8, AA_OP_FREE, h, 0);

    /* Foreign call: started, completed (code = the status), dropped. */
    count = 0;
    fh_binding b = {0};
    h = fh_future_new(AA_TYPE_U64, &b, NULL);
    aa_future_poll(AA_TYPE_U64, h, quiet, 1);
    aa_foreign_call_complete_u64(b.complete_data,
                                 (UniffiForeignFutureResultU64){0, {UNIFFI_CALL_CANCELLED, {0, 0, NULL}}});
    aa_future_free(AA_TYPE_U64, h);
    int fc = -1, fcomp = -1, fdrop = -1;
    for (int i = 0; i < count; i++) {
        if (seen[i].op == AA_OP_FOREIGN_CALL) {
            fc = i;
            CHECK_EQ(seen[i].handle, b.complete_data);
            CHECK_EQ(seen[i].data, b.complete_data);
        } else if (seen[i].op == AA_OP_FOREIGN_COMPLETE) {
            fcomp = i;
            CHECK_EQ(seen[i].code, UNIFFI_CALL_CANCELLED);
        } else if (seen[i].op == AA_OP_FOREIGN_DROPPED) {
            fdrop = i;
        }
    }
    CHECK(fc >= 0 && fc < fcomp && fcomp < fdrop);

    /* No hook: nothing is recorded. */
    aa_set_event_hook(NULL, NULL);
    count = 0;
    h = aa_future_new_ready(AA_TYPE_VOID, (aa_value){.u64 = 0});
    aa_future_poll(AA_TYPE_VOID, h, quiet, 0);
    aa_future_complete(AA_TYPE_VOID, h, &st);
    aa_future_free(AA_TYPE_VOID, h);
    CHECK_EQ(count, 0);
    CHECK_EQ(th_misuse_total(), 0);
    th_check_no_leaks();
    printf("ok\n");
    return 0;
}
