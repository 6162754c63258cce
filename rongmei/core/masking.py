"""Masking of personal data for display (PIPL: show only what the viewer needs)."""

from __future__ import annotations

import re
import unicodedata


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) == 11:
        return f"{phone[:3]}****{phone[-4:]}"
    return phone[:2] + "*" * max(len(phone) - 4, 1) + phone[-2:]


def mask_id_number(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return f"{number[:3]}{'*' * (len(number) - 7)}{number[-4:]}"


def mask_name(name: str) -> str:
    if not name:
        return ""
    if len(name) == 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


# --- Free text ------------------------------------------------------------------------------
#
# Numbers are found as *runs*: groups of digits — ASCII, full-width or Chinese (一三八…, 幺)
# — joined by short separators (spaces, dots, dashes, slashes, brackets, "·"…), however the
# writer grouped them. A run is then read group by group for whole numbers that look like
# an ID number, a mobile or a landline number, and those digits are starred where they
# stand (the separators stay), so "138.1234.5678", "1381-234-5678", "一三八一二三四五六七八"
# and "110101 19900307 1234" are all caught, whatever separator or grouping is used.

_CN_DIGITS = {"〇": "0", "零": "0", "幺": "1", "一": "1", "二": "2", "三": "3", "四": "4",
              "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_DIGIT = r"[0-9０-９〇零幺一二三四五六七八九]"
_SEP = r"(?:[^\S\n]|[.．\-－_·•・/\\—–~()（）])"
_X = r"(?<![A-Za-z])[Xx](?![A-Za-z])"  # an ID number's last character, if apart from letters
_GROUP = re.compile(rf"{_DIGIT}+(?:[Xx](?![A-Za-z]))?|{_X}")
_RUN = re.compile(rf"{_DIGIT}+(?:[Xx](?![A-Za-z]))?"
                  rf"(?:{_SEP}{{1,3}}(?:{_DIGIT}+(?:[Xx](?![A-Za-z]))?|{_X}))*")
_ID_18 = re.compile(r"[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
_ID_15 = re.compile(r"[1-8]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_MOBILE_DIGITS = re.compile(r"1[3-9]\d{9}")
_LANDLINE_DIGITS = re.compile(r"(010|02\d|0[3-9]\d{2})([2-8]\d{6,7})")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*(@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_PLATE = re.compile(r"([京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼])"
                    r"([A-Za-z](?:[^\S\n]|[·•・.．\-－])?)([A-Za-z0-9]{3,4})([A-Za-z0-9]{2})"
                    r"(?![A-Za-z0-9])")
# House numbers: the figures in front of 号/栋/单元/室/房…, "3-2-501室" included, not "5月3号";
# and the figures after 单元/号楼/栋/门牌…, "2单元501" and "门牌501" included.
_HOUSE = re.compile(r"(?<![月\d\-A-Za-z])"
                    r"([A-Za-z]?\d+(?:-\d+)*[A-Za-z]?|[一二三四五六七八九十百零〇两]+)"
                    r"(?=\s*(?:号楼|号院|号|栋|幢|单元|室|层|户|弄|组|房))")
_AFTER_HOUSE = re.compile(r"((?:单元|号楼|栋|幢|门牌号?|房号|房间号?)[:：]?\s*)"
                          r"([A-Za-z]?\d+(?:-\d+)*[A-Za-z]?|[一二三四五六七八九十百零〇两]+)")
_NAME_CUE = re.compile(r"((?:我叫|姓名|联系人|户主)[:：是为]?\s*)([\u4e00-\u9fff]{2,3})")


def _stars(text: str) -> str:
    return "*" * len(text)


def _digit_value(ch: str) -> str:
    if ch in _CN_DIGITS:
        return _CN_DIGITS[ch]
    if ch in "Xx":
        return "X"
    return str(unicodedata.digit(ch))


def _hidden_positions(digits: str) -> range | None:
    """Which of ``digits`` (a whole number) to star, if it is an ID or phone number."""
    if _ID_18.fullmatch(digits) or _ID_15.fullmatch(digits):
        return range(3, len(digits) - 4)
    if _MOBILE_DIGITS.fullmatch(digits):
        return range(3, 7)
    landline = _LANDLINE_DIGITS.fullmatch(digits)
    if landline:
        return range(len(landline.group(1)), len(digits) - 4)
    return None


def _mask_run(run: str) -> str:
    groups = list(_GROUP.finditer(run))
    # (position in run, digit value) of every digit, and for each group where its digits start.
    chars = [(m.start() + k, _digit_value(ch)) for m in groups for k, ch in enumerate(m.group())]
    starts, count = [], 0
    for m in groups:
        starts.append(count)
        count += len(m.group())
    starts.append(count)
    hide: set[int] = set()
    i = 0
    while i < len(groups):
        best = None
        for j in range(i, len(groups)):  # the longest whole-group number from group i
            digits = "".join(v for _, v in chars[starts[i]:starts[j + 1]])
            if len(digits) > 18:
                break
            if "X" in digits[:-1] or (digits.endswith("X") and len(digits) not in (15, 18)):
                continue
            positions = _hidden_positions(digits)
            if positions is not None:
                best = (j, positions)
        if best is None:
            i += 1
            continue
        j, positions = best
        hide.update(chars[starts[i] + p][0] for p in positions)
        i = j + 1
    for m in groups:  # a long number no rule names (a bank card…): all but its ends
        if len(m.group()) >= 12 and not any(m.start() + k in hide for k in range(len(m.group()))):
            hide.update(range(m.start() + 3, m.end() - 4))
    if not hide and len(chars) >= 16 and all(len(m.group()) >= 3 for m in groups):
        hide.update(position for position, _ in chars[3:-4])  # a card number in groups
    return "".join("*" if k in hide else ch for k, ch in enumerate(run))


def _mask_numbers(text: str) -> str:
    def one(match):
        before = text[match.start() - 1] if match.start() else ""
        if before.isascii() and before.isalpha():
            return match.group()  # a code such as a receipt number ("WZ2026…"), not a person's
        return _mask_run(match.group())

    return _RUN.sub(one, text)


# Digits as people disguise them to slip a number past a filter: formal capitals (壹贰叁),
# 两 and 幺, circled and other Unicode digits (read by unicodedata); anything that is not a
# letter of a word — spaces, punctuation, zero-width and other format characters, Latin
# letters ("加V138…", "138a1234b5678") — may sit between them.
_DISGUISED_DIGITS = {**_CN_DIGITS, "壹": "1", "贰": "2", "叁": "3", "肆": "4", "伍": "5",
                     "陆": "6", "柒": "7", "捌": "8", "玖": "9", "两": "2", "貳": "2",
                     "參": "3", "陸": "6"}
_SKELETON_NUMBER = re.compile(r"1[3-9]\d{9}|[1-8]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
                              r"(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")


def _digit_skeleton(text: str) -> list[str]:
    """The runs of digits in ``text`` read through disguises: digit-like characters become
    digits, fillers between them are dropped, and a character of a word (a Chinese
    character that is no numeral) ends a run."""
    runs, current = [], []
    for ch in unicodedata.normalize("NFKC", text):
        if ch in _DISGUISED_DIGITS:
            current.append(_DISGUISED_DIGITS[ch])
            continue
        if ch in "Xx" and current:
            current.append("X")
            continue
        try:
            current.append(str(unicodedata.digit(ch)))
            continue
        except (TypeError, ValueError):
            pass
        category = unicodedata.category(ch)
        if ch.isascii() and ch.isalpha() or category[0] in "ZPSC" or category == "Mn":
            continue  # filler between the digits
        if current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def has_personal_number(text: str | None) -> bool:
    """Whether free text holds a phone or ID number (however it is written or disguised):
    for forms that have their own, protected field for it and refuse it in public text."""
    if not text:
        return False
    if _mask_numbers(text) != text:
        return True
    return any(_SKELETON_NUMBER.search(run) for run in _digit_skeleton(text))


def mask_personal_text(text: str | None, *, names=()) -> str:
    """Mask what identifies a person in free text before it is shown to the public: ID and
    phone numbers (whatever separators or Chinese numerals they are written with), e-mail
    addresses, car plates, house and room numbers, and names — the ``names`` the caller
    knows (the person's own, as they gave them) and names typed after cues such as "我叫"
    or "联系人". One function for every public text, so every place masks alike."""
    if not text:
        return ""
    text = _PLATE.sub(lambda m: f"{m.group(1)}{m.group(2)}{_stars(m.group(3))}{m.group(4)}",
                      text)
    text = _mask_numbers(text)
    text = _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)
    text = _HOUSE.sub(lambda m: _stars(m.group(1)), text)
    text = _AFTER_HOUSE.sub(lambda m: m.group(1) + _stars(m.group(2)), text)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2},
                       key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return _NAME_CUE.sub(lambda m: m.group(1) + mask_name(m.group(2)), text)


def mask_address(address: str, *, keep: int = 6) -> str:
    """The first ``keep`` characters (the town or street) and stars for the rest."""
    if not address:
        return ""
    if len(address) <= keep:
        return address[:max(len(address) // 2, 1)] + "****"
    return address[:keep] + "****"
