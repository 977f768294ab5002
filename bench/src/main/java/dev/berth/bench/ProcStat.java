package dev.berth.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of one process, from /proc (for processes the bench did not start as a Process). */
record ProcStat(double cpuSeconds, long rssKb) {
    static ProcStat of(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // after the ")": utime and stime are the 14th and 15th fields of the whole line, in ticks of 1/100 s
        double cpu = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        long rss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new ProcStat(cpu, rss);
    }
}
