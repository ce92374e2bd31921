// Marks the body so that GOV.UK Frontend styles its JavaScript-enhanced
// components. Loaded as a file (the Content-Security-Policy forbids inline
// script); every page works without it.
document.body.className += ' js-enabled' + ('noModule' in HTMLScriptElement.prototype ? ' govuk-frontend-supported' : '');
