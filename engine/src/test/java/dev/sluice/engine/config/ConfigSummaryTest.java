package dev.sluice.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigSummaryTest {

    @Test
    void rendersOneLinePerJob() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("sluice.yaml", """
                jobs:
                  - name: etc
                    paths: [/etc]
                    repository: /srv/repo
                  - name: home
                    paths: [/home, /root]
                    repository: {path: /mnt/backup}
                    compression: none
                    hooks:
                      - {point: snapshot.pre, path: /bin/true}
                """, Path.of("/cfg"), "web-1");
        assertEquals("""
                ok: sluice.yaml: 2 jobs, host web-1
                  etc: backup /etc -> local /srv/repo; zstd level 3; 0 hooks
                  home: backup /home, /root -> local /mnt/backup; no compression; 1 hook
                """, ConfigSummary.render(config));
    }

    @Test
    void singularForOneJob() throws ConfigException {
        SluiceConfig config = ConfigLoader.parse("a.yaml", "jobs: [{name: x, paths: [/x], repository: /r}]\n",
                Path.of("/cfg"), "h");
        assertEquals("ok: a.yaml: 1 job, host h\n  x: backup /x -> local /r; zstd level 3; 0 hooks\n",
                ConfigSummary.render(config));
    }
}
