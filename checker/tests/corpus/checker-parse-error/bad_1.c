/* A missing semicolon is reported as a diagnostic, not skipped. */
int f(int x)
{
    return x + 1 // expect: checker-parse-error@17
}
