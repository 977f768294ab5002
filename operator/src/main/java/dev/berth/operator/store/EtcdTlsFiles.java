package dev.berth.operator.store;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The PEM files of an etcd TLS connection, read and checked before any connection is made. gRPC reports a wrong file
 * late and vaguely (a key of another certificate is "did not answer", a text file a stack trace), so each mistake is
 * caught here and named in one line with its file: not a certificate, not a key, an encrypted key, a key that does
 * not belong to the certificate, an expired certificate. The client uses exactly what was checked.
 *
 * @param trusted the CAs that sign etcd's certificate; empty: the JVM's default CAs
 * @param chain   the client certificate (first) and any intermediates; empty: no client certificate
 * @param key     the client certificate's key; null without one
 */
public record EtcdTlsFiles(List<X509Certificate> trusted, List<X509Certificate> chain, PrivateKey key) {
    /** Never the key itself: this record may end up in a log line or an exception's message. */
    @Override
    public String toString() {
        return "EtcdTlsFiles[trusted=" + trusted.stream().map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", chain=" + chain.stream().map(c -> c.getSubjectX500Principal().getName()).toList()
                + ", key=" + (key == null ? "none" : key.getAlgorithm() + " key") + "]";
    }

    public EtcdTlsFiles {
        trusted = List.copyOf(trusted);
        chain = List.copyOf(chain);
    }

    /**
     * For clients other than jetcd's (the HTTP gateway's): trusts {@link #trusted} (the JVM's CAs when there are none)
     * and presents {@link #chain} with {@link #key} when there is one.
     */
    public javax.net.ssl.SSLContext sslContext() {
        try {
            javax.net.ssl.TrustManager[] trust = null;
            if (!trusted.isEmpty()) {
                java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < trusted.size(); i++) {
                    store.setCertificateEntry("ca-" + i, trusted.get(i));
                }
                javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance(
                        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                trust = factory.getTrustManagers();
            }
            javax.net.ssl.KeyManager[] keys = null;
            if (key != null) {
                char[] none = new char[0];
                java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
                store.load(null, null);
                store.setKeyEntry("client", key, none, chain.toArray(new X509Certificate[0]));
                javax.net.ssl.KeyManagerFactory factory = javax.net.ssl.KeyManagerFactory.getInstance(
                        javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
                factory.init(store, none);
                keys = factory.getKeyManagers();
            }
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keys, trust, null);
            return context;
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new EtcdRefusedException("cannot set up TLS for etcd: " + e.getMessage(), e);
        }
    }

    /** @throws EtcdRefusedException naming the file that is missing, unreadable, or not what it should be */
    public static EtcdTlsFiles read(Path ca, Path cert, Path key, Instant now) {
        if ((cert == null) != (key == null)) {
            throw new EtcdRefusedException(cert == null
                    ? "etcd client key " + key + " is given without its certificate (BERTH_ETCD_CERT, --etcd-cert)"
                    : "etcd client certificate " + cert + " is given without its key (BERTH_ETCD_KEY, --etcd-key)");
        }
        List<X509Certificate> trusted = ca == null ? List.of() : certificates("etcd CA file", ca, now);
        if (cert == null) {
            return new EtcdTlsFiles(trusted, List.of(), null);
        }
        List<X509Certificate> chain = certificates("etcd client certificate", cert, now);
        PrivateKey privateKey = privateKey(key);
        if (!belongs(privateKey, chain.get(0))) {
            throw new EtcdRefusedException("etcd client key " + key + " does not belong to the certificate in " + cert);
        }
        return new EtcdTlsFiles(trusted, chain, privateKey);
    }

    private static List<X509Certificate> certificates(String what, Path file, Instant now) {
        List<X509Certificate> certificates = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8); PEMParser pem = new PEMParser(reader)) {
            for (Object object = pem.readObject(); object != null; object = pem.readObject()) {
                if (object instanceof X509CertificateHolder holder) {
                    certificates.add(new JcaX509CertificateConverter().getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw unreadable(what, file, e);
        }
        if (certificates.isEmpty()) {
            throw new EtcdRefusedException(what + " " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        X509Certificate first = certificates.get(0);
        Date at = Date.from(now);
        if (first.getNotAfter().before(at)) {
            throw new EtcdRefusedException(what + " " + file + " expired on " + first.getNotAfter().toInstant());
        }
        if (first.getNotBefore().after(at)) {
            throw new EtcdRefusedException(what + " " + file + " is not valid before " + first.getNotBefore().toInstant()
                    + " (is this machine's clock right?)");
        }
        return certificates;
    }

    private static PrivateKey privateKey(Path file) {
        Object object;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8); PEMParser pem = new PEMParser(reader)) {
            object = pem.readObject();
        } catch (IOException | RuntimeException e) {
            throw unreadable("etcd client key", file, e);
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (object instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            if (object instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
        } catch (IOException | RuntimeException e) {
            throw unreadable("etcd client key", file, e);
        }
        if (object instanceof PKCS8EncryptedPrivateKeyInfo || object instanceof PEMEncryptedKeyPair) {
            throw new EtcdRefusedException("etcd client key " + file + " is encrypted; give it unencrypted, readable only"
                    + " by Berth's user (openssl pkey -in " + file.getFileName() + " -out key.pem)");
        }
        throw new EtcdRefusedException("etcd client key " + file + " holds no PEM private key (PKCS#8 -----BEGIN PRIVATE"
                + " KEY-----, or PKCS#1/SEC1)");
    }

    /** Signs a few random bytes with the key and checks them with the certificate's public key. */
    private static boolean belongs(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> key.getAlgorithm();
        };
        try {
            byte[] data = new byte[32];
            new SecureRandom().nextBytes(data);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(data);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(data);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            // a key of another type than the certificate's cannot even start verifying
            return false;
        }
    }

    private static EtcdRefusedException unreadable(String what, Path file, Exception e) {
        if (e instanceof NoSuchFileException) {
            return new EtcdRefusedException(what + " " + file + " does not exist");
        }
        String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().replace('\n', ' ');
        return new EtcdRefusedException("cannot read " + what + " " + file + ": " + reason);
    }
}
