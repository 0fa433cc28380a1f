package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.stream.Collectors;

/** Renders a short human summary of a valid configuration, printed by {@code sluice config validate}. */
public final class ConfigSummary {

    private ConfigSummary() {}

    /**
     * For example:
     *
     * <pre>
     * ok: sluice.yaml: 2 jobs, host web-1
     *   etc: backup /etc -&gt; local /srv/repo; zstd level 3; 0 hooks
     *   home: backup /home -&gt; local /srv/repo; no compression; 2 hooks
     * </pre>
     */
    public static String render(SluiceConfig config) {
        StringBuilder out = new StringBuilder();
        int jobs = config.jobs().size();
        out.append("ok: ").append(config.file()).append(": ").append(jobs).append(jobs == 1 ? " job" : " jobs")
                .append(", host ").append(config.global().host()).append('\n');
        for (JobSpec job : config.jobs()) {
            int hooks = job.hooks().size();
            out.append("  ").append(job.name()).append(": ").append(job.type().yamlName()).append(' ')
                    .append(job.source() != null ? job.source().describe()
                            : job.paths().stream().map(Path::toString).collect(Collectors.joining(", ")))
                    .append(" -> ").append(job.repository().describe())
                    .append("; ").append(job.compression().describe())
                    .append("; ").append(hooks).append(hooks == 1 ? " hook" : " hooks")
                    .append('\n');
        }
        return out.toString();
    }
}
