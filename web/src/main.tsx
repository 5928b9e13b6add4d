// Entry of the web bundle. Until the workspace UI lands it shows the service's status.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { StatusPage } from "./status-page.tsx";
import "./styles.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <StatusPage />
  </StrictMode>,
);
