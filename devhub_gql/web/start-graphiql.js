// Starts GraphiQL on the endpoint that served this page (/graphql or /backoffice/graphql).
"use strict";
(function () {
  const element = document.getElementById("graphiql");
  document.body.style.margin = "0";
  element.style.height = "100vh";
  const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  ReactDOM.createRoot(element).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }),
  );
})();
