import uuid
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django_q.models import Task

from curation.models import Image
from recommender.dashboard import (
    emotions_per_day,
    images_by_emotion_and_status,
    images_by_like_rate,
    likes_per_day,
    online_like_rates,
    recommender_health,
    wilson_bounds,
)
from recommender.models import Interaction, OutboxMessage, SegmentStat, ServedPage
from tests.factories import ApprovedImageFactory, FaceUserFactory, ImageFactory

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:recommender_dashboard")


def interaction(image: Image, event: str, when: datetime) -> None:
    created = Interaction.objects.create(image=image, event=event)
    Interaction.objects.filter(pk=created.pk).update(created_at=when)  # created_at is set on insert


def rated(image: Image, impressions: int, likes: int, segment: str = "*") -> None:
    SegmentStat.objects.create(image=image, segment=segment, impressions=impressions, likes=likes)


def refit(when: datetime, *, success: bool, func: str = "recommender.tasks.refit_recommender") -> None:
    Task.objects.create(id=uuid.uuid4().hex, name=func, func=func, started=when, stopped=when, success=success)


def test_an_empty_site_renders(curator_client: Client) -> None:
    response = curator_client.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    assert "never" in page and "No approved image has been shown often enough yet" in page
    assert page.count("<svg viewBox") == 3 and "<title id=\"eg-chart-likes-title\">Likes per day</title>" in page
    assert 'class="eg-visually-hidden"' in page and "<script" not in page.split('id="content"')[1]


def test_images_are_counted_per_emotion_and_status() -> None:
    ImageFactory.create_batch(2, emotion="CALM")
    ApprovedImageFactory(emotion="CALM")
    ImageFactory(emotion="FEAR", status=Image.Status.RETIRED)
    counts = images_by_emotion_and_status()
    assert counts["CALM"] == {"pending": 2, "approved": 1, "rejected": 0, "retired": 0}
    assert counts["FEAR"]["retired"] == 1 and sum(counts["HAPPY"].values()) == 0
    assert list(counts) == ["HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED", "CALM", "FEAR"]


def test_likes_are_counted_per_day_over_a_range() -> None:
    image = ApprovedImageFactory()
    today = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=12)
    for days_ago, event in [(0, "like"), (0, "like"), (0, "view"), (3, "like"), (3, "unlike"), (29, "like"),
                            (30, "like")]:
        interaction(image, event, noon - timedelta(days=days_ago))
    days = likes_per_day(first=today - timedelta(days=29), last=today)
    assert len(days) == 30 and days[0][0] == today - timedelta(days=29) and days[-1][0] == today
    assert dict(days)[today] == 2 and dict(days)[today - timedelta(days=3)] == 1
    assert dict(days)[today - timedelta(days=29)] == 1 and sum(likes for _, likes in days) == 4


def test_an_image_liked_again_and_again_counts_once_a_day_per_person_or_answer() -> None:
    """15 like/unlike toggles of one image were 15 likes that day."""
    liked, other = ApprovedImageFactory.create_batch(2)
    person = FaceUserFactory()
    today = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=12)
    yesterday = noon - timedelta(days=1)
    for _ in range(15):
        for event in ("like", "unlike"):
            Interaction.objects.create(image=liked, event=event, face_user=person)
            Interaction.objects.create(image=liked, event=event, recommendation_id="a" * 32)  # anonymous, one answer
    Interaction.objects.create(image=other, event="like", face_user=person)
    Interaction.objects.create(image=liked, event="like", recommendation_id="b" * 32)  # another answer
    for when in (noon, noon, yesterday):  # anonymous likes naming no answer: nothing tells their visitors apart
        interaction(liked, "like", when)
    yesterdays = Interaction.objects.create(image=liked, event="like", face_user=person)
    Interaction.objects.filter(pk=yesterdays.pk).update(created_at=yesterday)

    days = dict(likes_per_day(first=today - timedelta(days=1), last=today))

    # The person's two images, the two answers' one each, the two likes naming none.
    assert days == {today: 6, today - timedelta(days=1): 2}


def test_an_image_liked_again_and_again_from_one_answer_counts_once_in_its_like_rate() -> None:
    """15 like/unlike toggles of the image at slot 20 of one answer: "shown 19 liked 27, like-rate 1.421"."""
    images = ApprovedImageFactory.create_batch(20)
    ids = ",".join(str(image.pk) for image in images)
    now = timezone.now()
    for page in ("toggled", "another"):
        ServedPage.objects.create(id=page, mode="emotion", emotion="SAD", items=ids, created_at=now)
    for _ in range(15):
        for event in ("like", "unlike"):
            Interaction.objects.create(image=images[19], event=event, recommendation_id="toggled")
    Interaction.objects.create(image=images[0], event="like", recommendation_id="another")

    rates = online_like_rates(days=1)

    assert [(row.label, row.shown, row.likes) for row in rates.by_mode] == [("emotion", 40, 2)]
    slots = {row.label: (row.shown, row.likes) for row in rates.by_slot}
    assert slots["20"] == (2, 1) and slots["1"] == (2, 1)
    assert all(row.likes <= row.shown for row in rates.by_slot)


def test_the_wilson_bounds_reward_a_larger_sample() -> None:
    assert wilson_bounds(0, 0) == (0.0, 1.0)
    low, high = wilson_bounds(45, 50)
    assert round(low, 3) == 0.786 and round(high, 3) == 0.957
    assert wilson_bounds(3, 3)[0] < low  # 3 of 3 is less sure than 45 of 50
    assert wilson_bounds(16, 16)[0] < wilson_bounds(90, 100)[0]


def test_top_and_bottom_images_by_like_rate_need_a_minimum_sample() -> None:
    images = ApprovedImageFactory.create_batch(5)
    for image, (impressions, likes) in zip(images, [(100, 90), (100, 10), (40, 20), (200, 100), (30, 0)], strict=True):
        rated(image, impressions, likes)
    rated(ApprovedImageFactory(), 16, 16)  # all liked, but shown too rarely to rank
    rated(ImageFactory(), 50, 50)  # not in the gallery
    rated(images[1], 100, 100, segment="CALM")  # one segment's rate is not everyone's
    top, bottom = images_by_like_rate(n=3)
    # Equal rates: the image shown more often is the surer, so it ranks higher.
    assert [(entry.image, entry.rate) for entry in top] == [(images[0], 0.9), (images[3], 0.5), (images[2], 0.5)]
    assert [entry.image for entry in bottom] == [images[4], images[1]]  # 0 of 30 is surely lower than 10 of 100
    top, _ = images_by_like_rate(n=1, min_impressions=10)
    assert top[0].image == images[0]
    top, _ = images_by_like_rate(n=10, min_impressions=300)
    assert top == []


def test_visitors_emotions_are_counted_per_day() -> None:
    today = timezone.localdate()
    noon = timezone.make_aware(datetime.combine(today, datetime.min.time())) + timedelta(hours=12)
    for number, (days_ago, emotion) in enumerate([(0, "HAPPY"), (0, "HAPPY"), (0, "SAD"), (2, "CALM"), (0, ""),
                                                  (9, "FEAR")]):
        ServedPage.objects.create(id=f"page{number}", mode="emotion", emotion=emotion, items="1,2,3",
                                  created_at=noon - timedelta(days=days_ago))
    days = dict(emotions_per_day(first=today - timedelta(days=6), last=today))
    assert len(days) == 7 and list(days[today]) == ["HAPPY", "SAD", "ANGRY", "CONFUSED", "DISGUSTED", "SURPRISED",
                                                     "CALM", "FEAR"]
    assert (days[today]["HAPPY"], days[today]["SAD"], days[today - timedelta(days=2)]["CALM"]) == (2, 1, 1)
    assert sum(sum(counts.values()) for counts in days.values()) == 4


def test_recommender_health() -> None:
    now = timezone.now()
    assert recommender_health().last_refit is None
    refit(now - timedelta(hours=5), success=True)
    refit(now - timedelta(hours=1), success=False)
    refit(now, success=True, func="curation.tasks.run_generation_job")
    for status, age in [("pending", 10), ("pending", 2), ("dead", 60), ("delivered", 90)]:
        message = OutboxMessage.objects.create(capability="recommender", operation="put_items", payload={},
                                               status=status, next_attempt_at=now)
        OutboxMessage.objects.filter(pk=message.pk).update(created_at=now - timedelta(minutes=age))
    health = recommender_health()
    assert health.last_refit == now - timedelta(hours=5)
    assert (health.outbox_pending, health.outbox_dead) == (2, 1)
    assert health.oldest_pending_at == now - timedelta(minutes=10)


def test_the_page_shows_the_numbers(curator_client: Client) -> None:
    liked, shunned = ApprovedImageFactory(emotion="CALM"), ApprovedImageFactory(emotion="SAD")
    rated(liked, 40, 30)
    rated(shunned, 50, 0)
    interaction(liked, "like", timezone.now())
    refit(timezone.now() - timedelta(days=2), success=True)
    OutboxMessage.objects.create(capability="recommender", operation="put_items", payload={}, status="dead",
                                 next_attempt_at=timezone.now())
    page = curator_client.get(DASHBOARD).content.decode()
    assert "<th scope=\"row\">Calm</th><td>0</td><td>1</td><td>0</td><td>0</td><td>1</td>" in page
    assert "75%" in page and "0%" in page
    assert reverse("admin:curation_image_change", args=[liked.pk]) in page
    assert "2\xa0days ago" in page and "1 message</strong> never delivered" in page


def test_the_dashboard_needs_the_view_permission(client: Client) -> None:
    client.force_login(get_user_model().objects.create_user("nobody", is_staff=True))
    assert client.get(DASHBOARD).status_code == 403


def test_the_range_is_chosen_and_a_bad_one_is_refused(curator_client: Client) -> None:
    image = ApprovedImageFactory()
    interaction(image, "like", timezone.now() - timedelta(days=60))
    first = (timezone.localdate() - timedelta(days=61)).isoformat()
    response = curator_client.get(DASHBOARD, {"first": first})
    assert response.status_code == 200
    assert sum(bar.total for bar in response.context["likes_chart"].bars) == 1
    assert len(response.context["emotions_chart"].bars) == 62
    assert sum(bar.total for bar in curator_client.get(DASHBOARD).context["likes_chart"].bars) == 0
    response = curator_client.get(DASHBOARD, {"first": "2026-05-02", "last": "2026-05-01"})
    assert response.status_code == 400 and "must start on or before" in response.content.decode()
    response = curator_client.get(DASHBOARD, {"first": "2020-01-01", "last": "2026-05-01"})
    assert response.status_code == 400 and "at most 366 days" in response.content.decode()
    assert curator_client.get(DASHBOARD, {"min_impressions": "0"}).status_code == 400
    # The default range before the first day there is was a 500 (OverflowError).
    for edge in ({"last": "0001-01-01"}, {"first": "9999-12-31", "last": "9999-12-31"}):
        assert curator_client.get(DASHBOARD, edge).status_code == 400


def test_a_korean_admin_reads_the_dashboard_in_korean(curator_client: Client) -> None:
    # The locale middleware leaves Korean active in this thread after the answer: override puts English back.
    with translation.override("en"):
        page = curator_client.get(DASHBOARD, HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    for korean in ("큐레이션 대시보드", "감정별·상태별 이미지", "방문자의 감정", "추천 엔진 상태",
                   "가장 좋아한 이미지", "행복"):
        assert korean in page, korean
    for english in ("Recommender health", "Most liked", "Likes per day", "Images per emotion and status"):
        assert english not in page, english
