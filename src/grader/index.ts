/** The grader: student release, grading with hidden tests, class runs, formats, platforms. */
export * from "./submission";
export * from "./grade";
export * from "./formats";
export * from "./release";
export * from "./gradeclass";
export * from "./validate";
export * from "./autograder";
