package dev.sluice.engine.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.sluice.engine.fs.TreeFixture;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class ScanStageTest {

    @TempDir
    Path tmp;
    Scheduler scheduler;

    @BeforeEach
    void tree() throws IOException {
        scheduler = Schedulers.newBoundedElastic(2, 16, "scan-test");
        TreeFixture t = TreeFixture.create();
        for (int i = 0; i < 50; i++) {
            t.file("d" + (i % 5) + "/f" + i, "x" + i);
        }
        t.materialise(tmp);
    }

    @AfterEach
    void dispose() {
        scheduler.dispose();
    }

    @Test
    void walkerRunsOnlyAsFarAsRequested() {
        AtomicReference<Walker> walker = new AtomicReference<>();
        ScanStage stage = new ScanStage(scheduler);
        StepVerifier.create(stage.scan(() -> {
                    Walker w = new Walker(List.of(tmp), ScanRules.all());
                    walker.set(w);
                    return w;
                }), 0)
                .expectSubscription()
                .expectNoEvent(Duration.ofMillis(50))
                .then(() -> assertEquals(0, walker.get() == null ? 0 : walker.get().yielded()))
                .thenRequest(3)
                .expectNextCount(3)
                .then(() -> assertEquals(3, walker.get().yielded()))
                .thenRequest(2)
                .expectNextCount(2)
                .then(() -> assertEquals(5, walker.get().yielded()))
                .thenCancel()
                .verify(Duration.ofSeconds(10));
        assertFalse(walker.get().hasNext(), "cancel closed the walker");
    }

    @Test
    void emitsEveryEntryAndCompletes() {
        StepVerifier.create(new ScanStage(scheduler).scan(List.of(tmp), ScanRules.all()))
                .expectNextCount(1 + 5 + 50)
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void walksOnTheGivenScheduler() {
        StepVerifier.create(new ScanStage(scheduler).scan(List.of(tmp), ScanRules.all())
                        .map(e -> Thread.currentThread().getName()).take(1))
                .assertNext(name -> assertEquals(true, name.startsWith("scan-test"), name))
                .expectComplete()
                .verify(Duration.ofSeconds(10));
    }
}
