/* walk.h: what a recursive walk over a function body must not descend into.
 *
 * libclang visits a tag defined inside a declaration twice: as a declaration of its own and
 * again through the declarator's type (`struct a { struct b {...} m; } v;`), so a walk that
 * recurses into local struct, union and enum definitions doubles its work at every level of
 * nesting. They hold no statements (C), so body walks skip them.
 */
#ifndef AAC_WALK_H
#define AAC_WALK_H

#include <clang-c/Index.h>

/* Returns 1 for a type definition a body walk must not recurse into (linear walks). */
static inline int aac_walk_skip(CXCursor c)
{
    switch (c.kind) {
    case CXCursor_StructDecl:
    case CXCursor_UnionDecl:
    case CXCursor_ClassDecl:
    case CXCursor_EnumDecl:
    case CXCursor_ClassTemplate:
    case CXCursor_ClassTemplatePartialSpecialization:
        return 1;
    default:
        return 0;
    }
}

#endif /* AAC_WALK_H */
