/* gst-wcs: process-wide settings every process that runs webrtcbin needs
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

/*
 * OpenSSL and the exit of the process
 * -----------------------------------
 * webrtcbin's DTLS (dtlsdec/dtlsenc) and SRTP (libsrtp2 built on libcrypto)
 * run OpenSSL on GStreamer's streaming threads, and OpenSSL keeps per-thread
 * state whose destructor runs when such a thread exits. By default OpenSSL
 * registers OPENSSL_cleanup() with atexit() when it is first initialised:
 * at exit() it frees its global state while GStreamer's pooled streaming
 * threads are still alive; they exit a moment later (gst_deinit() joins the
 * task pool, idle GThreadPool threads time out) and their OpenSSL thread
 * destructors read the freed state. The result is a SIGSEGV inside libcrypto
 * (crypto/initthread.c) or a heap corruption that glibc reports as
 * "double free or corruption" when some later thread exits: an intermittent
 * crash at the end of any process that ran a webrtcbin, reported against
 * OpenSSL since 1.1 (openssl/openssl#6214; libdatachannel turns the handler
 * off for the same reason).
 *
 * gst_wcs_process_init() asks OpenSSL not to register that handler
 * (OPENSSL_INIT_NO_ATEXIT): its state then lives until the process is gone,
 * which costs nothing (the kernel reclaims it) and leak checkers see it as
 * still reachable. It only works if it runs before anything else initialises
 * libcrypto, so it is called from plugin_init (our elements are created
 * before the webrtcbin they own) and first thing in main() of wcs-relay and
 * of every test program that runs webrtcbin itself. Calling it again, or
 * after OpenSSL was initialised by someone else, is harmless.
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstwcsprocess.h"

#include <openssl/crypto.h>

void
gst_wcs_process_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once)) {
    /* without effect on the handler when libcrypto was initialised before
     * (then that initialiser's choice stands); nothing to report either way */
    OPENSSL_init_crypto (OPENSSL_INIT_NO_ATEXIT, NULL);
    g_once_init_leave (&once, 1);
  }
}
