"""Scanned PDF pages read by an offline OCR engine, when one is installed (requirements-ocr.txt).

rapidocr_onnxruntime carries its own detection and recognition models, so nothing is fetched
at run time. A page is rendered with pypdfium2 (installed with pdfplumber), recognised, and
its text boxes put back into lines from top to bottom. Without the engine, or past the time
budget, the page stays empty and the parser names it in a warning.
"""

from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# Marks a page whose text came from OCR, so the parser can say so (a private-use character
# never found in a plan's own text).
OCR_MARK = "\ue000"
# A page takes one to two seconds; the whole file must still be previewed within 30 s.
_BUDGET_SECONDS = 15.0
_RENDER_SCALE = 2
# Strips of about this many pixels (a dozen printed lines at the render scale).
_STRIP_HEIGHT = 400
_MAX_SIDE = 1280
_INK_LEVEL = 160
_engine = None


def ocr_available() -> bool:
    try:
        import pypdfium2  # noqa: F401
        import rapidocr_onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def _get_engine():
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        # No angle classifier (plans are printed upright); detection never upscales a strip.
        _engine = RapidOCR(
            use_cls=False,
            det_limit_type="max",
            det_limit_side_len=_MAX_SIDE,
            rec_batch_num=2,
            intra_op_num_threads=2,
            inter_op_num_threads=1,
        )
    return _engine


def ocr_pages(data: bytes, indexes: list[int]) -> dict[int, str]:
    """Page index → recognised text (marked with OCR_MARK) for the pages it could read."""
    if not indexes or not ocr_available():
        return {}
    import numpy
    import pypdfium2

    found: dict[int, str] = {}
    started = time.monotonic()
    try:
        document = pypdfium2.PdfDocument(data)
        for index in indexes:
            if time.monotonic() - started > _BUDGET_SECONDS:
                logger.info("OCR stopped at page %d: time budget spent", index + 1)
                break
            page = document[index]
            bitmap = page.render(scale=_RENDER_SCALE)
            pixels = numpy.array(bitmap.to_pil().convert("RGB"))
            bitmap.close()
            page.close()
            text = _lines(_recognise(pixels, started))
            if text:
                found[index] = OCR_MARK + text
    except Exception as exc:  # a page the renderer or the engine cannot take stays empty
        logger.info("OCR failed: %s", exc)
    return found


def _recognise(pixels, started: float) -> list:
    """Text boxes of a page read strip by strip, cut where no line of text is: a whole page
    at once would take the detector past the memory budget (512 MB)."""
    import numpy

    ink = (pixels.min(axis=2) < _INK_LEVEL).any(axis=1)
    height = len(ink)
    cuts, position = [0], 0
    while position + _STRIP_HEIGHT < height:
        target = position + _STRIP_HEIGHT
        blank = next(
            (y for y in range(target, position + _STRIP_HEIGHT // 2, -1) if not ink[y]), target
        )
        cuts.append(blank)
        position = blank
    cuts.append(height)
    boxes = []
    for top, bottom in zip(cuts, cuts[1:], strict=False):
        if not ink[top:bottom].any():
            continue
        if time.monotonic() - started > _BUDGET_SECONDS:
            break
        result, _ = _get_engine()(numpy.ascontiguousarray(pixels[top:bottom]))
        for box, text, score in result or []:
            boxes.append(([(x, y + top) for x, y in box], text, score))
    return boxes


def _lines(result) -> str:
    """Text boxes (corner points, text, score) into lines, top to bottom, left to right."""
    boxes = sorted(
        (
            (min(p[1] for p in box), max(p[1] for p in box), min(p[0] for p in box), text)
            for box, text, _score in result
        ),
    )
    lines: list[list[tuple[float, str]]] = []
    bottom = None
    for top, low, left, text in boxes:
        if bottom is not None and top < bottom - (low - top) / 2:
            lines[-1].append((left, text))
            bottom = max(bottom, low)
        else:
            lines.append([(left, text)])
            bottom = low
    return "\n".join("".join(text for _, text in sorted(line)) for line in lines)
