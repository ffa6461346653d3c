// Starts Swagger UI on the API's OpenAPI document. The page names the document relative to
// itself (data-spec), so it works under any mount point. No validator badge: it would call an
// outside site, and the docs must work offline.
(function () {
  var script = document.currentScript;
  window.ui = SwaggerUIBundle({
    url: new URL(script.getAttribute("data-spec"), document.baseURI).href,
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
  });
})();
