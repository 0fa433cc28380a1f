package dev.sluice.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HookCatalogTest {

    @TempDir
    Path dir;

    @Test
    void catalogCoversEveryPointInOrder() {
        HookCatalog catalog = HookCatalog.standard();
        assertEquals(Arrays.asList(HookPoint.values()),
                catalog.entries().stream().map(HookCatalog.Entry::point).collect(Collectors.toList()));
        assertEquals(HookCatalog.Side.SOURCE, catalog.entry(HookPoint.SNAPSHOT_PRE).side());
        assertEquals(HookCatalog.Side.SINK, catalog.entry(HookPoint.PRUNE_POST).side());
        for (HookCatalog.Entry e : catalog.entries()) {
            for (HookContext.Role role : HookContext.Role.values()) {
                boolean listed = e.side() == HookCatalog.Side.BOTH || e.side().name().equals(role.name());
                assertEquals(listed, e.point().runsOn(role), e.point() + " on " + role);
            }
        }
        String text = catalog.renderText();
        for (HookPoint p : HookPoint.values()) {
            assertTrue(text.contains("\n" + p.id() + "\n"), p.id());
        }
        for (String name : HookEnvironment.RESERVED) {
            assertTrue(text.contains(name), name);
        }
    }

    @Test
    void jsonStringsAreEscaped() {
        StringBuilder b = new StringBuilder();
        JsonText.quote(b, "a\"b\\c\n\t\u0001\u2028é");
        assertEquals("\"a\\\"b\\\\c\\n\\t\\u0001\\u2028é\"", b.toString());
    }

    @Test
    void jsonIsValidAndComplete() throws IOException, InterruptedException {
        String json = HookCatalog.standard().renderJson();
        Path file = dir.resolve("catalog.json");
        Files.writeString(file, json);
        Path python = Path.of("/usr/bin/python3");
        Assumptions.assumeTrue(Files.isExecutable(python), "python3 checks the JSON independently");
        Process p = new ProcessBuilder(python.toString(), "-c",
                "import json,sys; d=json.load(open(sys.argv[1])); "
                        + "print(' '.join(x['name'] + '>' + str(x['counterpart']) for x in d['points'])); "
                        + "print(len(d['environment']))", file.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        List<String> lines = out.lines().collect(Collectors.toList());
        assertEquals("job.start>job.end snapshot.pre>snapshot.post transfer.pre>transfer.post "
                + "transfer.post>transfer.pre snapshot.post>snapshot.pre prune.post>None job.end>job.start", lines.get(0));
        assertEquals(Integer.toString(HookCatalog.standard().environment().size()), lines.get(1));
    }
}
