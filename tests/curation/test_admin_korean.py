"""A curator whose browser asks for Korean reads the curation admin in Korean: the project's own words (apps, models,
columns, actions, filters and their choices, the review, grid, upload and generation pages, the dashboard), not only
Django's."""

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from curation.models import Image
from curation.services import create_generation_job
from recommender.models import Interaction, ServedPage
from tests.factories import ApprovedImageFactory, ImageFactory

pytestmark = pytest.mark.django_db


def visible_text(page: str) -> str:
    """What a reader meets on the page: its text, and the labels of its controls and pictures."""
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", "", page)
    labels = re.findall(r'(?:aria-label|alt|title)="([^"]*)"', page)
    buttons = re.findall(r'<input type="submit"[^>]* value="([^"]*)"', page)
    return html.unescape("\n".join([re.sub(r"<[^>]+>", "\n", page), *labels, *buttons]))


def read_in_korean(client: Client, url: str) -> str:
    # The locale middleware leaves Korean active in this thread after the answer: override puts English back.
    with translation.override("en"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200, url
    return visible_text(response.content.decode())


@pytest.fixture
def pool() -> Image:
    """A generated portrait waiting in the pool, an uploaded one, and a live image, so every column has a value."""
    job = create_generation_job(emotion="CALM", count=1, width=64, height=96)
    first = ImageFactory(emotion="CALM", generation_job=job, orientation=Image.Orientation.PORTRAIT, prompt="a pond")
    ImageFactory(emotion="CALM", source=Image.Source.UPLOADED)
    ApprovedImageFactory(emotion="HAPPY")
    return first


PAGES = {
    "index": (
        reverse("admin:index"),
        ["큐레이션", "이미지", "생성 작업", "트랙", "프롬프트 템플릿", "노래 추천 실행"],
        ["Curation", "Images", "Generation jobs", "Tracks", "Prompt templates", "Song suggestion runs"],
    ),
    "image list": (
        f"{reverse('admin:curation_image_changelist')}?status=all",
        ["감정", "테마", "방향", "출처", "검토한 사람", "승인: 갤러리에 게시", "내리기: 갤러리에서 빼기",
         "감정이나 테마 고치기", "하나씩 검토", "격자로 검토", "이미지 올리기", "대시보드", "검토 대기", "세로",
         "업로드됨", "테마 없음", "이미지 1개", "상태 (으)로"],
        ["Approve: publish to the gallery", "Retire", "Correct the emotion or theme", "Review one by one",
         "Review as a grid", "Upload images", "Dashboard", "Pending review", "Portrait", "Uploaded", "Generated",
         "Orientation", "Source", "Reviewed by", "Created at", "no theme", "1 images", "1 image"],
    ),
    "review": (
        reverse("admin:curation_image_review"),
        ["검토 대기 2개 중 1번째 이미지.", "승인", "거절", "다음", "감정", "테마", "상태", "출처", "작업",
         "프롬프트", "열기"],
        ["Image 1 of", "pending.", "Approve", "Reject", "Next", "Emotion", "Theme", "Status", "Source", "Job",
         "Prompt", "Open image", "Uploaded", "Generated"],
    ),
    "grid": (
        reverse("admin:curation_image_grid"),
        ["검토 대기", "승인됨", "거절됨", "내림", "모든 작업", "테마 없음"],
        ["Pending review", "Approved", "Rejected", "Retired", "no theme", "images"],
    ),
    "upload": (
        reverse("admin:curation_image_upload"),
        ["이미지 올리기", "파일", "비슷한 사본도 받기", "선택 사항", "다시 인코딩", "올리기"],
        ["Upload images", "Files", "Keep near copies", "Optional, e.g.", "re-encoded as JPEG", "Upload"],
    ),
    "generation job": (
        reverse("admin:curation_generationjob_add"),
        ["이미지 생성", "만들 것", "만드는 방법", "개수", "크기", "방향", "프롬프트 템플릿", "백엔드", "가로",
         "세로는 너비와 높이를 바꿉니다.", "백그라운드"],
        ["Generate images", "What to make", "Count", "Size", "Orientation", "Prompt template", "Backend",
         "Landscape", "Portrait swaps", "The job runs in the background", "Generate"],
    ),
    "track": (
        reverse("admin:curation_track_add"),
        ["트랙 추가", "제목", "아티스트", "감정", "노래에 어울리는 기분"],
        ["Title", "Artist", "Emotions", "The moods the song suits"],
    ),
    "dashboard": (
        reverse("admin:recommender_dashboard"),
        ["큐레이션 대시보드", "추천 엔진", "전송 대기열", "감성 추천"],
        ["Recommender", "emotion", "보낼 편지함", "Outbox"],
    ),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_korean_curator_reads_the_admin_in_korean(curator_client: Client, pool: Image, name: str) -> None:
    # A garden answer liked this week, so the dashboard's online like-rate has its row for the answer's mode.
    ServedPage.objects.create(id="page1", mode="emotion", emotion="CALM", items=str(pool.pk),
                              created_at=timezone.now() - timedelta(hours=1))
    Interaction.objects.create(event=Interaction.Event.LIKE, image=pool, recommendation_id="page1")
    url, korean, english = PAGES[name]
    text = read_in_korean(curator_client, url)
    assert [word for word in korean if word not in text] == []
    assert [word for word in english if re.search(rf"\b{re.escape(word)}", text)] == []


def test_the_log_stays_in_one_language_whoever_decides(curator_client: Client, pool: Image) -> None:
    with translation.override("en"):
        curator_client.post(reverse("admin:curation_image_review"), {"image": pool.pk, "decision": "approve"},
                            HTTP_ACCEPT_LANGUAGE="ko")
    history = curator_client.get(reverse("admin:curation_image_history", args=[pool.pk])).content.decode()
    assert "Approved (was Pending review)." in history
