package dev.rebound.benchmarks;

import org.openjdk.jmh.annotations.CompilerControl;

/** The fallback of the annotated contenders: answers as {@link Subjects.Backup} does. */
public class BackupModel implements ResilientModel {

    @Override
    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    public String chat(String prompt) {
        return Subjects.FALLBACK_ANSWER;
    }
}
