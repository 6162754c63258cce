// Ask once, then disable the button so a double click cannot send twice.
document.querySelector("[data-push-form]").addEventListener("submit", function (event) {
  var button = event.target.querySelector("button[type=submit]");
  if (button.disabled || !window.confirm(button.getAttribute("data-confirm"))) {
    event.preventDefault();
    return;
  }
  button.disabled = true;
});
