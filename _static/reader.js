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

// A figure's image opens at full size when tapped: on a phone the figure fits the screen
// whole, and its detail is one tap away (where the browser can zoom it).
document.addEventListener("DOMContentLoaded", () => {
  for (const image of document.querySelectorAll(".bd-article figure img:not(.math), .bd-article div.cell_output img:not(.math)")) {
    if (image.closest("a")) continue;
    const link = document.createElement("a");
    link.href = image.src;
    link.title = "the figure at full size";
    image.parentNode.insertBefore(link, image);
    link.appendChild(image);
  }
});

// A caption's number ends with a colon, "Table 4.1: ...", as in the PDF (Sphinx writes the
// number and the text side by side, with only a space between them in the HTML).
document.addEventListener("DOMContentLoaded", () => {
  for (const number of document.querySelectorAll(".bd-article .caption-number")) {
    number.textContent = number.textContent.trimEnd() + ": ";
  }
});
