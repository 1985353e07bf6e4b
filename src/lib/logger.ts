import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getConsoleSink, getLogger, type LogLevel } from "@logtape/logtape";

let configured = false;

/** Configures LogTape once per process: Tern's and Fedify's categories to the console. */
export async function setupLogging(level: LogLevel): Promise<void> {
  if (configured) return;
  configured = true;
  await configure({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: { console: getConsoleSink() },
    loggers: [
      { category: ["tern"], lowestLevel: level, sinks: ["console"] },
      {
        category: ["fedify"],
        lowestLevel: level === "debug" ? "info" : "warning",
        sinks: ["console"],
      },
      // Fedify logs every 4xx answer that passes through it as a warning, the web pages' 404s
      // for crawlers included: only its errors, unless debugging.
      {
        category: ["fedify", "federation", "http"],
        lowestLevel: level === "debug" ? "info" : "error",
        sinks: ["console"],
        parentSinks: "override",
      },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}

export const logger = (...category: string[]) => getLogger(["tern", ...category]);
