package dev.sluice.hook;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Ends a hook's whole process tree: every descendant of the hook and, when the hook was started in
 * its own process group (under {@code setsid}), every process in that group, even those whose parent
 * already died; SIGTERM first, SIGKILL after a grace period.
 */
final class ProcessTree {

    private static final Path PROC = Path.of("/proc");

    private final Process process;
    private final boolean ownGroup;

    ProcessTree(Process process, boolean ownGroup) {
        this.process = process;
        this.ownGroup = ownGroup;
    }

    /**
     * Terminates the hook and everything it started, waiting at most {@code grace} between SIGTERM and
     * SIGKILL. Returns the number of processes signalled.
     */
    int end(Duration grace) throws InterruptedException {
        Set<ProcessHandle> targets = new LinkedHashSet<>();
        if (process.isAlive()) {
            // Collect descendants before signalling: once a parent dies, its children are re-parented and
            // no longer show up as descendants.
            process.descendants().forEach(targets::add);
            targets.add(process.toHandle());
        }
        targets.addAll(groupMembers());
        if (targets.isEmpty()) {
            return 0;
        }
        targets.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        while (System.nanoTime() < deadline && targets.stream().anyMatch(ProcessTree::alive)) {
            Thread.sleep(20);
        }
        Set<ProcessHandle> stubborn = targets.stream().filter(ProcessTree::alive).collect(Collectors.toCollection(LinkedHashSet::new));
        stubborn.addAll(groupMembers());
        stubborn.forEach(ProcessHandle::destroyForcibly);
        process.waitFor();
        return targets.size();
    }

    /** The live processes in the hook's own process group (none when it has no own group). */
    Set<ProcessHandle> groupMembers() {
        Set<ProcessHandle> members = new LinkedHashSet<>();
        if (!ownGroup) {
            return members;
        }
        long group = process.pid();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
            for (Path dir : dirs) {
                long pid = Long.parseLong(dir.getFileName().toString());
                Optional<long[]> stat = stat(pid);
                if (stat.isPresent() && stat.get()[1] == group && stat.get()[2] == 0) {
                    ProcessHandle.of(pid).ifPresent(members::add);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + PROC + " to find the processes of hook group "
                    + group + ": " + e.getMessage(), e);
        }
        return members;
    }

    /** Alive and not a zombie (a zombie is dead; it only waits for its parent to collect it). */
    static boolean alive(ProcessHandle handle) {
        if (!handle.isAlive()) {
            return false;
        }
        Optional<long[]> stat = stat(handle.pid());
        return stat.isPresent() && stat.get()[2] == 0;
    }

    /** {ppid, pgrp, zombie?1:0} from /proc/PID/stat, or empty when the process is gone. */
    private static Optional<long[]> stat(long pid) {
        String text;
        try {
            text = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // A process that vanished between listing and reading reports ESRCH as a plain IOException.
            if (!Files.exists(PROC.resolve(Long.toString(pid)))) {
                return Optional.empty();
            }
            throw new IllegalStateException("cannot read /proc/" + pid + "/stat: " + e.getMessage(), e);
        }
        int close = text.lastIndexOf(')');
        String[] fields = text.substring(close + 2).split(" ");
        char state = fields[0].charAt(0);
        return Optional.of(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2]),
                state == 'Z' || state == 'X' ? 1 : 0});
    }

    private static boolean isNumber(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
