"""有奖答题: Excel question banks, quizzes, attempts on the server's clock and key."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from rongmei.core.errors import NotFoundError, ServiceError

from ..models import (
    Attempt,
    LiveQuizItem,
    Question,
    QuestionBank,
    QuestionKind,
    Quiz,
)
from .common import ImportReport, _blocked, _local, check_operator, gate_texts

QUIZ = "quiz"  # the 答题 earning rule (points migration 0002)
LATE_GRACE = timedelta(seconds=2)  # the network's share of the clock, never more


# --- quizzes ------------------------------------------------------------------------------------

BANK_COLUMNS = ("题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F", "答案",
                "解析", "分类", "难度")
BANK_REQUIRED = ("题型", "题目", "答案")
KIND_NAMES = {"单选": QuestionKind.SINGLE, "单选题": QuestionKind.SINGLE,
              "多选": QuestionKind.MULTIPLE, "多选题": QuestionKind.MULTIPLE,
              "判断": QuestionKind.JUDGE, "判断题": QuestionKind.JUDGE}
JUDGE_OPTIONS = ["正确", "错误"]
JUDGE_ANSWERS = {"正确": 0, "对": 0, "√": 0, "是": 0, "A": 0,
                 "错误": 1, "错": 1, "×": 1, "否": 1, "B": 1}


def import_bank(*, actor, name: str, data: bytes) -> ImportReport:
    """Questions from an .xlsx (one row per question) into the bank ``name``.

    All or nothing: every row is checked first; any bad row → a Chinese report naming the
    row and what is wrong, and nothing is written."""
    from rongmei.core.excel import read_sheet

    check_operator(actor, "只有运营人员可以导入题库")
    name = (name or "").strip()
    if not 2 <= len(name) <= 40:
        raise ServiceError("name_required", "请填写2至40个字的题库名称", field="name")
    workbook, header, rows, value = read_sheet(data, BANK_COLUMNS, field="file")
    report = ImportReport()
    parsed = []
    try:
        missing = [c for c in BANK_REQUIRED if c not in header]
        if missing:
            raise ServiceError("invalid_excel", "表头缺少列：" + "、".join(missing), field="file")
        for number, row in enumerate(rows, start=2):
            if not any(c not in (None, "") for c in row):
                continue
            problems = []
            kind = KIND_NAMES.get(value(row, "题型"))
            text = value(row, "题目")
            raw_answer = value(row, "答案").upper().replace(" ", "").replace(",", "") \
                .replace("，", "").replace("、", "")
            options = [value(row, f"选项{letter}") for letter in "ABCDEF"]
            while options and not options[-1]:
                options.pop()
            answer: list[int] = []
            if kind is None:
                problems.append(f"题型“{value(row, '题型')}”应为单选、多选或判断")
            if not 4 <= len(text) <= 300:
                problems.append("题目须为4至300个字")
            if kind == QuestionKind.JUDGE:
                options = JUDGE_OPTIONS
                choice = JUDGE_ANSWERS.get(value(row, "答案"), JUDGE_ANSWERS.get(raw_answer))
                if choice is None:
                    problems.append("判断题答案应为“正确”或“错误”")
                else:
                    answer = [choice]
            elif kind is not None:
                if len(options) < 2 or any(not o for o in options):
                    problems.append("选项至少两个，且中间不能有空选项")
                letters = sorted(set(raw_answer))
                if not letters or any(ch not in "ABCDEF"[:len(options)] for ch in letters):
                    problems.append(f"答案“{value(row, '答案')}”不是已填写的选项字母")
                else:
                    answer = ["ABCDEF".index(ch) for ch in letters]
                    if kind == QuestionKind.SINGLE and len(answer) != 1:
                        problems.append("单选题只能有一个答案")
                    if kind == QuestionKind.MULTIPLE and len(answer) < 2:
                        problems.append("多选题至少两个答案")
            difficulty = value(row, "难度") or "1"
            if difficulty not in ("1", "2", "3", "4", "5"):
                problems.append("难度应为1至5")
            if len(value(row, "分类")) > 20:
                problems.append("分类不能超过20个字")
            blocked = _blocked(text, *options, value(row, "解析"))
            if blocked:
                problems.append(blocked)
            if problems:
                report.errors.append(f"第{number}行：" + "；".join(problems))
                continue
            parsed.append(Question(kind=kind, text=text, options=options, answer=answer,
                                   explanation=value(row, "解析")[:300],
                                   category=value(row, "分类"), difficulty=int(difficulty)))
    finally:
        workbook.close()
    if report.errors:
        return report
    if not parsed:
        report.errors.append("表格中没有数据行")
        return report
    with transaction.atomic():
        bank, _ = QuestionBank.objects.get_or_create(name=name)
        for question in parsed:
            question.bank = bank
        Question.objects.bulk_create(parsed)
    report.created = len(parsed)
    return report


MAX_RULES = 10
ANY = "不限"


def _rule_label(rule: dict) -> str:
    return (f"{rule['category'] or '不限分类'}、"
            f"{'难度' + str(rule['difficulty']) if rule['difficulty'] else '不限难度'}")


def _rule_filter(rule: dict) -> dict:
    return {**({"category": rule["category"]} if rule["category"] else {}),
            **({"difficulty": rule["difficulty"]} if rule["difficulty"] else {})}


def _overlap(a: dict, b: dict) -> bool:
    """Could one question match both rules? (Then a paper might not fill both.)"""
    return ((not a["category"] or not b["category"] or a["category"] == b["category"])
            and (not a["difficulty"] or not b["difficulty"]
                 or a["difficulty"] == b["difficulty"]))


def clean_draw_rules(bank: QuestionBank, rules) -> list[dict]:
    """抽题规则 (category × difficulty × count) checked against the bank: each rule's count
    can be drawn, and no two rules can match the same question, so every paper is complete
    and every player gets the same mix."""
    invalid = ServiceError("invalid_rules", "抽题规则格式不正确", field="rules")
    if not isinstance(rules, list | tuple) or len(rules) > MAX_RULES:
        raise ServiceError("invalid_rules", f"抽题规则最多{MAX_RULES}条", field="rules")
    cleaned = []
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            raise invalid
        category = rule.get("category") or ""
        difficulty, count = rule.get("difficulty") or 0, rule.get("count")
        if (not isinstance(category, str) or len(category) > 20
                or any(not isinstance(v, int) or isinstance(v, bool)
                       for v in (difficulty, count))):
            raise invalid
        category = "" if category.strip() == ANY else category.strip()
        if not 0 <= difficulty <= 5:
            raise ServiceError("invalid_rules", f"第{number}条规则：难度须为1至5或不限",
                               field="rules")
        if not 1 <= count <= 100:
            raise ServiceError("invalid_rules", f"第{number}条规则：题数须在1至100之间",
                               field="rules")
        rule = {"category": category, "difficulty": difficulty, "count": count}
        for earlier in cleaned:
            if _overlap(earlier, rule):
                raise ServiceError(
                    "overlapping_rules", f"第{number}条规则（{_rule_label(rule)}）与"
                    f"“{_rule_label(earlier)}”可能抽到同一道题，请按分类或难度分开",
                    field="rules")
        available = bank.questions.filter(**_rule_filter(rule)).count()
        if available < count:
            raise ServiceError("not_enough_questions", f"第{number}条规则：题库中"
                               f"{_rule_label(rule)}的题目只有{available}道", field="rules")
        cleaned.append(rule)
    if sum(rule["count"] for rule in cleaned) > 100:
        raise ServiceError("invalid_rules", "每次抽题总数不能超过100道", field="rules")
    return cleaned


def quiz_create(*, actor, title: str, bank_id: int, opens_at: datetime, closes_at: datetime,
                question_count: int = 10, time_limit_seconds: int = 300,
                attempts_per_day: int = 1, pass_score: int = 60, intro: str = "",
                category: str = "", rules=None) -> Quiz:
    """A prize quiz. With ``rules`` (抽题规则) each paper is drawn rule by rule and
    ``question_count`` is their total; without, ``question_count`` from the bank (or from
    ``category``)."""
    check_operator(actor)
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ServiceError("title_required", "请填写2至60个字的活动名称", field="title")
    bank = QuestionBank.objects.filter(pk=bank_id).first()
    if bank is None:
        raise ServiceError("bank_not_found", "所选题库不存在", field="bank_id")
    if closes_at <= opens_at:
        raise ServiceError("ends_before_start", "结束时间须晚于开始时间", field="closes_at")
    rules = clean_draw_rules(bank, rules or [])
    if rules and category:
        raise ServiceError("category_with_rules", "填写了抽题规则时，请把“只抽此分类”留空"
                           "（在规则中写分类）", field="category")
    if rules:
        question_count = sum(rule["count"] for rule in rules)
    available = bank.questions.filter(**({"category": category} if category else {})).count()
    if not 1 <= question_count <= available:
        raise ServiceError("not_enough_questions", f"题库中可抽的题目只有{available}道",
                           field="question_count")
    if not 10 <= time_limit_seconds <= 3600:
        raise ServiceError("invalid_time_limit", "答题时限须在10秒至1小时之间",
                           field="time_limit_seconds")
    if not 1 <= attempts_per_day <= 20:
        raise ServiceError("invalid_attempts", "每人每天次数须在1至20之间",
                           field="attempts_per_day")
    gate_texts(title=title, intro=intro)
    return Quiz.objects.create(title=title, intro=intro, bank=bank, category=category,
                               rules=rules, question_count=question_count,
                               time_limit_seconds=time_limit_seconds,
                               attempts_per_day=attempts_per_day,
                               pass_score=min(max(pass_score, 1), 100),
                               opens_at=opens_at, closes_at=closes_at)


def _draw_paper(quiz: Quiz, rng) -> list[tuple[int, list]]:
    """The questions of one paper: rule by rule (in the rules' order), or ``question_count``
    from the bank. A question whose answer a 直播答题 has revealed is public knowledge and
    never drawn; if that leaves a rule short, nobody gets a paper with fewer questions."""
    revealed = LiveQuizItem.objects.filter(revealed_at__isnull=False).values("question_id")
    pools = ([(_rule_filter(rule), rule["count"]) for rule in quiz.rules] if quiz.rules else
             [({"category": quiz.category} if quiz.category else {}, quiz.question_count)])
    paper = []
    for where, count in pools:
        pool = list(quiz.bank.questions.filter(**where).exclude(pk__in=revealed)
                    .values_list("pk", "options"))
        if len(pool) < count and (quiz.rules or not pool):
            raise ServiceError("quiz_used_up", "本答题活动可抽的题目不足（部分题目已在直播答题中"
                               "公布答案），请联系主办方", status=409)
        paper.extend(rng.sample(pool, min(count, len(pool))))
    return paper


def attempt_start(*, user, quiz_id: int, now: datetime | None = None) -> Attempt:
    """Draw the paper (and each question's option order) and start the server's clock."""
    now = now or timezone.now()
    quiz = Quiz.objects.filter(pk=quiz_id).first()
    if quiz is None:
        raise NotFoundError("答题活动不存在")
    if not quiz.opens_at <= now < quiz.closes_at:
        raise ServiceError("quiz_closed", f"答题时间为{_local(quiz.opens_at)}至"
                           f"{_local(quiz.closes_at)}", status=409)
    rng = secrets.SystemRandom()
    paper = _draw_paper(quiz, rng)
    orders = {}
    for pk, options in paper:
        order = list(range(len(options)))
        if len(options) > 2:
            rng.shuffle(order)
        orders[str(pk)] = order
    day = timezone.localdate(now)
    limit = quiz.attempts_per_day
    over = ServiceError("over_limit", f"今天的答题次数已用完（每人每天{limit}次）", status=409)
    for _ in range(limit + 1):
        used = Attempt.objects.filter(quiz=quiz, user=user, day=day).count()
        if used >= limit:
            raise over
        try:
            with transaction.atomic():
                return Attempt.objects.create(
                    quiz=quiz, user=user, day=day, slot=used + 1,
                    questions=[pk for pk, _ in paper], orders=orders, started_at=now,
                    deadline=now + timedelta(seconds=quiz.time_limit_seconds))
        except IntegrityError:
            continue
    raise over


def _shown_questions(attempt: Attempt):
    """(question, its option order, the question as shown) for each question of the paper,
    in the attempt's order — nothing about which option is right in the last."""
    questions = Question.objects.in_bulk(attempt.questions)
    for pk in attempt.questions:
        question = questions.get(pk)
        if question is None:
            continue
        order = attempt.orders.get(str(pk), list(range(len(question.options))))
        yield question, order, {
            "id": pk, "kind": question.kind, "kind_label": question.get_kind_display(),
            "text": question.text, "options": [question.options[i] for i in order]}


def attempt_paper(attempt: Attempt) -> list[dict]:
    """The questions as the client sees them: text and options in the attempt's order — and
    nothing about which option is right."""
    return [shown for _question, _order, shown in _shown_questions(attempt)]


def key_released(quiz: Quiz, now: datetime | None = None) -> bool:
    """Whether a quiz's answers and 解析 may be shown to its players: once it has closed and
    no other quiz drawing on the same bank is still open or yet to open (the key of one
    would answer the other's papers)."""
    now = now or timezone.now()
    return now >= quiz.closes_at and not Quiz.objects.filter(
        bank_id=quiz.bank_id, closes_at__gt=now).exclude(pk=quiz.pk).exists()


def attempt_review(attempt: Attempt, now: datetime | None = None) -> list[dict]:
    """A handed-in paper as its player reviews it: each question's options as shown, the
    positions they picked and whether that was right. The right answer and the explanation
    (解析) only once the quiz has closed and no other quiz on its bank is open
    (``key_released``): during a quiz they would pass from player to player, and the bank's
    questions come round again on the next papers."""
    if attempt.submitted_at is None:
        return []
    now = now or timezone.now()
    closed = key_released(attempt.quiz, now)
    review = []
    for question, order, item in _shown_questions(attempt):
        shown = {original: position for position, original in enumerate(order)}
        picked = attempt.answers.get(str(question.pk), [])
        item.update({"picked": sorted(shown[i] for i in picked if i in shown),
                     "is_correct": sorted(picked) == sorted(question.answer),
                     "answer": None, "explanation": None})
        if closed:
            item["answer"] = sorted(shown[i] for i in question.answer if i in shown)
            item["explanation"] = question.explanation
        review.append(item)
    return review


def attempt_submit(*, user, attempt_id: int, answers: dict,
                   now: datetime | None = None) -> Attempt:
    """Hand in the paper: ``answers`` maps question id → the chosen option positions as
    shown. Refused after the deadline (the server's clock) and for a question not in the
    attempt; nothing is recorded then."""
    from rongmei.points.services import points_earn

    now = now or timezone.now()
    with transaction.atomic():
        attempt = (Attempt.objects.select_for_update().select_related("quiz")
                   .filter(pk=attempt_id, user=user).first())
        if attempt is None:
            raise NotFoundError("答题记录不存在")
        if attempt.submitted_at is not None:
            raise ServiceError("already_submitted", "本次答题已交卷", status=409)
        if now > attempt.deadline + LATE_GRACE:
            raise ServiceError("attempt_expired",
                               f"答题时间已于{_local(attempt.deadline)}结束，本次作答不计分",
                               status=409)
        chosen: dict[int, list[int]] = {}
        for key, picked in (answers or {}).items():
            try:
                pk = int(key)
            except (TypeError, ValueError):
                pk = None
            if pk not in attempt.questions:
                raise ServiceError("question_not_in_attempt", "提交的题目不在本次试卷中",
                                   field="answers")
            if not isinstance(picked, list | tuple) or any(
                    not isinstance(i, int) or isinstance(i, bool) for i in picked):
                raise ServiceError("invalid_answer", "答案格式不正确", field="answers")
            order = attempt.orders.get(str(pk), [])
            if any(not 0 <= i < len(order) for i in picked):
                raise ServiceError("invalid_answer", "所选选项不存在", field="answers")
            chosen[pk] = sorted({order[i] for i in picked})
        questions = Question.objects.in_bulk(attempt.questions)
        correct = sum(1 for pk, picked in chosen.items()
                      if pk in questions and picked == sorted(questions[pk].answer))
        total = len(attempt.questions) or 1
        attempt.answers = {str(k): v for k, v in chosen.items()}
        attempt.correct = correct
        attempt.score = round(100 * correct / total)
        attempt.submitted_at = now
        attempt.duration_ms = max(int((now - attempt.started_at).total_seconds() * 1000), 0)
        if attempt.score >= attempt.quiz.pass_score and attempt.score > 0:
            entry = points_earn(user=user, action=QUIZ, source=f"quiz:{attempt.quiz_id}",
                                key=f"{QUIZ}:attempt:{attempt.pk}", now=now)
            attempt.points_paid = entry.amount if entry is not None else 0
        attempt.save(update_fields=["answers", "correct", "score", "submitted_at",
                                    "duration_ms", "points_paid"])
        return attempt
