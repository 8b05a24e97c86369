"""Author profiles: ``content/authors/<slug>.md``, one per person. Front
matter ``name`` (required), ``role``, ``photo`` (a URL, or a path relative to
the profile) and ``links`` (URLs: their social and staff pages); the body is
their bio, in Markdown. Profiles are not articles: they are read with the
settings, so every page that shows a byline sees them."""

from __future__ import annotations

from html import escape
from pathlib import Path

from generator.config import Profile, SiteConfig
from generator.diagnostics import Diagnostic, error, warning
from generator.load import CONTENT_DIR, MARKDOWN_SUFFIXES, is_ignored, is_readme
from generator.load import PROFILES_DIR as AUTHORS_DIR
from generator.parse.fields import Fields
from generator.parse.markdown import MarkdownRenderer, substitute_refs
from generator.parse.slugs import slugify
from generator.yamldoc import YamlError, load_mapping

PROFILE_FIELDS = ("name", "role", "photo", "links")
_FRONT_MATTER_HINT = "start the file with '---', then 'name: ...', then another '---'"


def profile_files(site_dir: Path) -> list[Path]:
    folder = site_dir / CONTENT_DIR / AUTHORS_DIR
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and p.name.lower().endswith(MARKDOWN_SUFFIXES)
        and not is_ignored(p.name)
        and not is_readme(p.name)
    )


def read_profiles(site_dir: Path) -> tuple[tuple[Profile, ...], list[Diagnostic]]:
    """Every profile under content/authors/, by slug, and their problems.
    The bios stay Markdown here: a build with nothing to do reads the
    profiles, and rendering them is the model's (``render_bio``)."""
    profiles: list[Profile] = []
    diags: list[Diagnostic] = []
    for path in profile_files(site_dir):
        source = f"{CONTENT_DIR}/{AUTHORS_DIR}/{path.name}"
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            diags.append(error(source, f"cannot read it: {exc}", hint="save it as UTF-8 text"))
            continue
        profile = _profile(source, path.name, text, diags)
        if profile is not None:
            profiles.append(profile)
    return tuple(sorted(profiles, key=lambda p: p.slug)), diags


def _profile(source: str, name: str, text: str, diags: list[Diagnostic]) -> Profile | None:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    close = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if not lines or lines[0].strip() != "---" or close is None:
        diags.append(error(source, "no front matter", line=1, hint=_FRONT_MATTER_HINT))
        return None
    try:
        doc = load_mapping("\n".join(lines[1:close]), one_line_text=lambda key: key != "links")
    except YamlError as exc:
        line = None if exc.line is None else exc.line + 2
        diags.append(error(source, exc.message, line=line, hint=exc.hint))
        return None
    fields = Fields(source, doc)
    stem = name.rsplit(".", 1)[0]
    slug = slugify(stem, max_length=200)
    if slug != stem:
        fields.diags.append(
            warning(
                source,
                f"the file's name {stem!r} is used as the slug {slug!r}",
                line=1,
                hint=f"name the file {slug}.md",
            )
        )
    person = fields.text("name", required=True)
    role = fields.text("role") or ""
    photo = fields.url("photo") or ""
    links = _links(fields)
    for key in sorted(set(doc.values) - set(PROFILE_FIELDS)):
        fields.diags.append(
            warning(
                source,
                f"unknown field '{key}'",
                line=fields.line(key),
                hint="a profile has name, role, photo and links",
            )
        )
    diags += fields.diags
    if person is None or fields.failed or not slug:
        return None
    return Profile(
        slug=slug,
        source=source,
        name=person,
        role=role,
        photo=photo,
        photo_line=fields.line("photo"),
        links=links,
        bio="\n".join(lines[close + 1 :]).strip("\n"),
        bio_line=close + 2,
    )


def _links(fields: Fields) -> tuple[str, ...]:
    value = fields.doc.values.get("links")
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
        fields.problem("links", "expected a list of URLs", "write links as '- https://...' lines")
        return ()
    found = []
    for item in items:
        url = item.strip()
        if not url.startswith(("http://", "https://")):
            fields.problem("links", f"{url!r} is not an http(s) URL", "give the full address")
            return ()
        found.append(url)
    return tuple(found)


def render_bio(config: SiteConfig, profile: Profile) -> str:
    """A profile's bio as HTML (its relative links as written)."""
    if not profile.bio.strip():
        return ""
    renderer = MarkdownRenderer(
        html=config.markdown_html,
        highlight=False,
        typography=config.typography,
        language=config.language,
    )
    body, html = renderer.render(
        profile.bio,
        content_path=profile.source.removeprefix(CONTENT_DIR + "/"),
        first_line=profile.bio_line,
    )
    refs = body.refs
    return substitute_refs(html.decode("utf-8"), lambda i: escape(refs[i].written))
