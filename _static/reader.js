// The book's reading rules for the HTML that CSS alone cannot give (added by _ext/reader.py).
//
// A wide table scrolls sideways inside the content column, and its caption, being part of
// the table, would scroll with it and be cut at the column's edge (on a phone, most of it).
// Each table's caption is therefore set just above the table's scrolling box, at the
// column's width, as a figure caption is: the reader always sees it whole. The table keeps
// an aria-label with the caption's text for screen readers.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll(".bd-article table")) {
    const caption = table.querySelector(":scope > caption");
    if (!caption) continue;
    const box = table.closest(".pst-scrollable-table-container") || table;
    const above = document.createElement("div");
    above.className = "table-caption";
    above.innerHTML = caption.innerHTML;
    table.setAttribute("aria-label", caption.innerText.trim());
    box.parentNode.insertBefore(above, box);
    caption.remove();
  }
});
