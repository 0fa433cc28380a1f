package dev.sluice.hook;

import java.util.function.Consumer;

/**
 * Where hook output and hook events go; the implementation decides the prefix (job and point), the
 * runner only guarantees that lines are bounded in length and number.
 */
public interface HookLog {

    /** Which output stream a line came from. */
    enum Stream {
        STDOUT, STDERR;

        public String id() {
            return this == STDOUT ? "stdout" : "stderr";
        }
    }

    /** One line a hook wrote (without its newline; control characters escaped, at most the line limit long). */
    void output(HookContext context, HookDefinition hook, Stream stream, String line);

    /** Something the runner or session has to say about a hook: a truncation, a warning, an async failure. */
    void event(HookContext context, HookDefinition hook, String message);

    /** A hook run finished (also async ones); for the job summary and metrics. */
    void finished(HookContext context, HookDefinition hook, HookResult result);

    /**
     * A log that formats every line as {@code job <job> <point> <executable> <stream>: <line>} and hands
     * it to the given consumer, e.g. a logger.
     */
    static HookLog lines(Consumer<String> sink) {
        return new HookLog() {
            @Override
            public void output(HookContext context, HookDefinition hook, Stream stream, String line) {
                sink.accept("job " + context.job() + " " + hook.displayName() + " " + stream.id() + ": " + line);
            }

            @Override
            public void event(HookContext context, HookDefinition hook, String message) {
                sink.accept("job " + context.job() + " " + hook.displayName() + ": " + message);
            }

            @Override
            public void finished(HookContext context, HookDefinition hook, HookResult result) {
                sink.accept("job " + context.job() + " " + hook.displayName() + ": " + result.status()
                        + " exit " + result.exitCode() + " in " + result.duration().toMillis() + " ms"
                        + result.error().map(e -> " (" + e + ")").orElse(""));
            }
        };
    }
}
