"""The reply form on a meeting's page (issue 22, item 8): the heading above it once had the
id "reply", the first radio's: "Attending in person" then had no label. No id is used twice
on the page, and every reply radio has exactly one label naming it."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine

from tests.conftest import login

STARTS = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)


@time_machine.travel(STARTS - timedelta(days=7), tick=False)
def test_each_reply_radio_has_its_label_and_no_id_is_used_twice(client, make):
    member = make.user(name="Sam Whitfield")
    team = make.team(coordinator=make.user())
    make.member(team, member)
    meeting = make.meeting(team, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
    login(client, member.email)
    page = client.get(f"/meetings/{meeting.id}").text

    ids = Counter(re.findall(r'\sid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1] == []
    radios = re.findall(r'<input[^>]*type="radio"[^>]*>', page)
    assert len(radios) == 3
    labels = dict(re.findall(r'<label[^>]*for="([^"]+)"[^>]*>([^<]+)</label>', page))
    named = [labels[re.search(r'id="([^"]+)"', radio)[1]] for radio in radios]
    assert named == ["Attending in person", "Attending remotely", "Apologies"]
