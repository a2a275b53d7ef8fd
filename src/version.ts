/** The package version (also the grader's: cached grades are keyed by it). */
export const VERSION = "0.1.0";
