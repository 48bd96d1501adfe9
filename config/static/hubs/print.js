// Buttons marked data-print print the page; a file, not an inline handler, so the CSP needs no 'unsafe-inline'.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
