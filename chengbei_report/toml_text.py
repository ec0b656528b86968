"""TOML syntax errors in Chinese, with the line and column where they are.

``tomllib`` writes its errors in English (``Expected ']]' at the end of an array declaration
(at line 3, column 5)``); the people who edit ``workspace.toml`` and ``catalog.toml`` read
Chinese, so every message tomllib can give is translated here and the place kept.
"""

from __future__ import annotations

import re

_PLACE = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")

# tomllib's messages (Python 3.11–3.13), as patterns over the text before the place.
_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"Invalid statement", "无法识别的语句（含中文的键名须加英文双引号）"),
    (r"Expected newline or end of document after a statement", "一条语句之后应换行"),
    (r"Expected '=' after a key in a key/value pair", "键名之后缺少“=”"),
    (r"Expected ']' at the end of a table declaration", "表头 [..] 缺少结尾的“]”"),
    (r"Expected ']]' at the end of an array declaration", "表头 [[..]] 缺少结尾的“]]”"),
    (r"Expected (.+)", "此处应为 {0}"),
    (r"Illegal character '\\n'", "字符串缺少结尾的引号"),
    (r"Found invalid character (.+)", "出现了不允许的字符 {0}"),
    (r"Illegal character (.+)", "出现了不允许的字符 {0}"),
    (r"Cannot declare (.+) twice", "{0} 重复声明了两次"),
    (r"Cannot overwrite a value", "同一个键重复赋值"),
    (r"Cannot mutate immutable namespace (.+)", "{0} 已经定义完毕，不能再添加内容"),
    (r"Cannot redefine namespace (.+)", "{0} 不能重新定义"),
    (r"Duplicate inline table key (.+)", "行内表中的键 {0} 重复"),
    (r"Invalid initial character for a key part", "键名的开头字符不合法（含中文的键名请加引号）"),
    (r"Unclosed array", "数组缺少结尾的“]”"),
    (r"Unclosed inline table", "行内表缺少结尾的“}”"),
    (r"Unescaped '\\' in a string", "字符串中的“\\”须写成“\\\\”"),
    (r"Invalid hex value", "转义序列中的十六进制数不合法"),
    (r"Escaped character is not a Unicode scalar value", "转义字符不是合法的 Unicode 字符"),
    (r"Unterminated string", "字符串缺少结尾的引号"),
    (r"Invalid date or datetime", "日期或时间的写法不合法"),
    (r"Invalid value", "值的写法不合法（文字须加英文双引号）"),
)


def toml_problem(message: str) -> str:
    """A tomllib error message in Chinese: ``第 3 行第 5 列：表头 [[..]] 缺少结尾的“]]”``."""
    found = _PLACE.search(message)
    text = message[: found.start()] if found else message
    if found is None:
        where = ""
    elif found.group(1):
        where = f"第 {found.group(1)} 行第 {found.group(2)} 列："
    else:
        where = "文件末尾："
    for pattern, chinese in _MESSAGES:
        matched = re.fullmatch(pattern, text.strip())
        if matched:
            return where + chinese.format(*map(_key, matched.groups()))
    return where + "格式错误"


def _key(text: str) -> str:
    """A key as tomllib shows it, ``('a', 'b')``, as a person writes it: ``a.b``."""
    if text.startswith("(") and text.endswith(")"):
        parts = re.findall(r"'([^']*)'|\"([^\"]*)\"", text)
        return ".".join(a or b for a, b in parts) or text
    return text
