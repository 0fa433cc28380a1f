package dev.sluice.engine.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The identities that jobs expect to reach this machine's listeners (sinks that pull a job, sources of reverse
 * pulls, receivers that pull a mirror job), each with where it is written, for the check once the jobs are read.
 */
final class ListenerIdentities {

    /** An identity a job expects on this machine's listeners, with where it is written and who it is. */
    record Use(String identity, YamlNode where, String path, String role) {}

    private final Problems problems;
    private final List<Use> uses = new ArrayList<>();

    ListenerIdentities(Problems problems) {
        this.problems = problems;
    }

    void expect(String identity, YamlNode where, String path, String role) {
        uses.add(new Use(identity, where, path, role));
    }

    /**
     * Reads the required list of identities under {@code key} and expects each of them on a listener as
     * {@code role}; empty when the list has a problem (which is recorded).
     */
    Set<String> expectEach(ConfigSection holder, String key, String expected, String role) {
        int before = problems.size();
        List<String> ids = holder.requiredList(key, Conversion.identity(), expected);
        if (problems.size() != before || ids.isEmpty()) {
            return Set.of();
        }
        YamlNode.Sequence list = (YamlNode.Sequence) holder.present(key).orElseThrow().value();
        for (int i = 0; i < ids.size(); i++) {
            expect(ids.get(i), list.items().get(i), holder.path(key) + "[" + i + "]", role);
        }
        return new HashSet<>(ids);
    }

    List<Use> uses() {
        return uses;
    }
}
