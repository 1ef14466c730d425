// The CLI's output is compared as plain text: colour is for terminals, and a task runner's
// FORCE_COLOR (nx sets it) must not reach the commands these tests run, in process or spawned.
delete process.env.FORCE_COLOR;
delete process.env.NO_COLOR;
