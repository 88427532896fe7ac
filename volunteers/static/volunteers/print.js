// The statement's print button (no inline scripts under our Content Security Policy).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
