package dev.berth.operator.gitops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What error messages and logs show of a repository URL: never a password or a token. */
class SafeUrlTest {
    @Test
    void hidesUserInfoEvenWithAtAndSlashInThePassword() {
        assertEquals("https://***@git.example/org/repo.git", GitRepos.safeUrl("https://deploy:s3cr@t@git.example/org/repo.git"));
        assertEquals("https://***@git.example/org/repo.git", GitRepos.safeUrl("https://deploy:a/b@git.example/org/repo.git"));
        assertEquals("ssh://***@git.example:2222/repo", GitRepos.safeUrl("ssh://git@git.example:2222/repo"));
    }

    @Test
    void hidesTheQueryString() {
        assertEquals("https://git.example/repo.git?***", GitRepos.safeUrl("https://git.example/repo.git?private_token=abc@def"));
        assertEquals("https://***@git.example/r?***", GitRepos.safeUrl("https://u:p@git.example/r?token=x"));
    }

    @Test
    void leavesUrlsWithoutSecretsAlone() {
        assertEquals("https://git.example/org/repo.git", GitRepos.safeUrl("https://git.example/org/repo.git"));
        assertEquals("git@git.example:org/repo.git", GitRepos.safeUrl("git@git.example:org/repo.git"));
        assertEquals("file:///srv/git/repo", GitRepos.safeUrl("file:///srv/git/repo"));
    }
}
