"""Checks of a tagged PDF's structure tree, shared by the PDF and pack tests (pikepdf)."""
from __future__ import annotations


def _numbers(tree) -> dict:
    found = {}
    if "/Nums" in tree:
        nums = list(tree.Nums)
        found.update((int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2))
    for kid in tree.get("/Kids", []):
        found.update(_numbers(kid))
    return found


def _mcids(page) -> list[int]:
    import pikepdf

    found = []
    for operands, operator in pikepdf.parse_content_stream(page):
        if str(operator) == "BDC" and len(operands) == 2 \
                and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
            found.append(int(operands[1].MCID))
    return found


def check_structure(pdf) -> int:
    """Assert that ``pdf``'s tag tree is whole; returns how many elements it holds.

    - every element reached from the root names its parent as ``/P`` and is reached once;
    - every ``/Pg`` of an element is a page of the document;
    - every marked-content id on a page resolves, through the page's ``/StructParents`` key
      in the parent tree, to an element on that page;
    - parent-tree keys are unique, and below ``/ParentTreeNextKey`` when it is given.
    """
    import pikepdf

    root = pdf.Root.StructTreeRoot
    pages = {page.obj.objgen for page in pdf.pages}
    seen = set()
    stack = [(kid, root) for kid in (root.K if isinstance(root.K, pikepdf.Array) else [root.K])]
    while stack:
        element, parent = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue  # a marked-content id, or a reference to one (MCR, OBJR)
        assert element.objgen not in seen, f"element {element.objgen} reached twice"
        seen.add(element.objgen)
        assert element.P.objgen == parent.objgen, f"element {element.objgen} has another /P"
        if "/Pg" in element:
            assert element.Pg.objgen in pages, f"element {element.objgen} is on no page"
        kids = element.get("/K")
        if kids is not None:
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
                stack.append((kid, element))
    numbers = _numbers(root.ParentTree)
    if "/ParentTreeNextKey" in root:
        assert max(numbers, default=-1) < int(root.ParentTreeNextKey)
    for n, page in enumerate(pdf.pages):
        mcids = _mcids(page)
        if not mcids:
            continue
        key = int(page.obj.StructParents)
        owners = numbers[key]
        for mcid in mcids:
            owner = owners[mcid]
            assert owner.Pg.objgen == page.obj.objgen, f"page {n + 1}: MCID {mcid} elsewhere"
    return len(seen)
