package dev.sluice.engine.mirror;

/** Which {@link TargetFactory} the mirror tests use. */
final class MirrorTestTargets {
    private MirrorTestTargets() {
    }

    static TargetFactory factory() {
        return PlainMirrorTarget.factory();
    }
}
