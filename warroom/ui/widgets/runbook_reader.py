"""The runbook reader: rendered Markdown, a table of contents, steps that tick, code to copy.

Nothing from the network is ever loaded: the browser refuses every resource that is not
embedded, and links open in the system browser only when clicked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:  # the services load SQLAlchemy, the renderer markdown-it: after the paint
    from warroom.domain.runbook_render import RenderedRunbook
    from warroom.services.runbooks import RunbookDetail

OPENABLE_SCHEMES = ("http", "https", "mailto")
#: Below this width the table of contents is hidden.
TOC_MIN_WIDTH = 640


class SafeBrowser(QTextBrowser):
    """A QTextBrowser that loads nothing: no remote or local images, no stylesheets."""

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        return None


class RunbookReader(QWidget):
    """Signals:
    step_toggled(str, bool): the person ticked (True) or unticked a step (its key).
    link_opened(str): an external link was handed to the system browser.
    """

    step_toggled = Signal(str, bool)
    link_opened = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.detail: RunbookDetail | None = None
        self.rendered: RenderedRunbook | None = None
        self.title = QLabel("Choose a runbook")
        self.title.setObjectName("viewTitle")
        self.title.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setObjectName("viewSubtitle")
        self.meta.setWordWrap(True)
        self.context_label = QLabel()
        self.context_label.setObjectName("readerContext")
        self.dark = QCheckBox("Dark")
        self.dark.toggled.connect(self._on_dark_toggled)
        self.toc = QListWidget()
        self.toc.setObjectName("toc")
        self.toc.setMaximumWidth(200)
        self.toc.itemClicked.connect(self._on_toc_item_clicked)
        self.browser = SafeBrowser()
        self.browser.setObjectName("runbookBrowser")
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.anchorClicked.connect(self._on_browser_anchor_clicked)
        font = self.browser.font()
        font.setPointSizeF(font.pointSizeF() + 1.5)
        self.browser.setFont(font)

        top = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.meta)
        titles.addWidget(self.context_label)
        top.addLayout(titles, 1)
        top.addWidget(self.dark)
        splitter = QSplitter()
        splitter.addWidget(self.toc)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([170, 700])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Beside a page or in a war-room tab the reader is narrow: the steps need the width
        # more than the table of contents does (the headings are in the text anyway).
        self.toc.setVisible(event.size().width() >= TOC_MIN_WIDTH)

    def show_runbook(self, detail: RunbookDetail | None, context: str | None = None) -> None:
        """``context`` names the page or incident whose progress is shown (None: read only)."""
        self.detail = detail
        self.toc.clear()
        if detail is None:
            self.title.setText("No runbook")
            self.meta.setText(
                "This alert has no runbook yet. Write one and link it to the "
                "service or the alert name."
            )
            self.context_label.clear()
            self.browser.clear()
            self.rendered = None
            return
        s = detail.summary
        self.title.setText(s.title)
        reviewed = f"last reviewed {s.last_reviewed}" if s.last_reviewed else "never reviewed"
        stale = "  ⚠ STALE: not reviewed in 90 days" if s.stale else ""
        self.meta.setText(f"{', '.join(s.services) or 'no service'} · {reviewed}{stale}")
        self.context_label.setText(
            f"Ticking steps for {context}"
            if context
            else "Open a page or choose an incident to tick steps."
        )
        self._render()

    def _render(self) -> None:
        if self.detail is None:
            return
        from warroom.domain.runbook_render import Theme, render_runbook

        theme = Theme.dark() if self.dark.isChecked() else Theme()
        scroll = self.browser.verticalScrollBar().value()
        self.rendered = render_runbook(self.detail.body, self.detail.ticks, theme)
        self.browser.setHtml(self.rendered.html)
        self.browser.verticalScrollBar().setValue(scroll)
        for heading in self.rendered.headings:
            item = QListWidgetItem("    " * (heading.level - 1) + heading.text)
            item.setData(256, heading.anchor)
            self.toc.addItem(item)

    def _on_dark_toggled(self, _checked: bool) -> None:
        self._render()

    def _on_toc_item_clicked(self, item: QListWidgetItem) -> None:
        self.browser.scrollToAnchor(str(item.data(256)))

    def _on_browser_anchor_clicked(self, url: QUrl) -> None:
        scheme = url.scheme()
        if scheme == "step" and self.detail is not None:
            key = url.path()
            self.step_toggled.emit(key, key not in self.detail.ticks)
        elif scheme == "copy" and self.rendered is not None:
            number = int(url.path())
            QGuiApplication.clipboard().setText(self.rendered.code_blocks[number])
        elif scheme in OPENABLE_SCHEMES:
            QDesktopServices.openUrl(url)
            self.link_opened.emit(url.toString())
        elif url.hasFragment() and not scheme:
            self.browser.scrollToAnchor(url.fragment())
