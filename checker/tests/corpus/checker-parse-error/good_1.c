/* Parses cleanly; warnings that are not ours are not reported. */
int unused_param(int x, int y)
{
    return x;
}
