package dev.rebound.benchmarks;

/** (c) The primary always fails: 3 attempts, then the fallback answers. */
public class FallbackAnswers extends Contenders {

    @Override
    Model newPrimary() {
        return new Subjects.Down();
    }
}
