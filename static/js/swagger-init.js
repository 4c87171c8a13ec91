/* Starts Swagger UI on the API docs page from the settings django-ninja writes into the page (no inline script). */
(function () {
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  config.layout = "BaseLayout";
  SwaggerUIBundle(config);
})();
