// The deep-linking answer goes back to the learning platform by a form post; send it at once
// (the button stays for browsers without JavaScript).
document.querySelectorAll("form[data-autosubmit]").forEach((form) => form.submit());
