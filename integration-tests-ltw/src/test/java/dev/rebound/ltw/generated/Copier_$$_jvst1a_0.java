package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/** Stands for a Javassist proxy of Copier (named with _$$_jvst), an override calling the class's own method. */
public class Copier_$$_jvst1a_0 extends Copier {
    @Override
    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        return super.ask(q);
    }
}
