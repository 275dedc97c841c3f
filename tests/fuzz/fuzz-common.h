/* gst-wcs: what every libFuzzer target shares
 *
 * Copyright (C) 2024 gst-wcs authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * CHECK() aborts (a finding) when a target's contract does not hold;
 * fuzz_init_gst() is the common part of LLVMFuzzerInitialize.
 */
#ifndef __WCS_FUZZ_COMMON_H__
#define __WCS_FUZZ_COMMON_H__

#include <stdint.h>
#include <stdlib.h>
#include <gst/gst.h>

#define CHECK(cond) do { if (!(cond)) { \
      g_printerr ("contract violated at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
      abort (); } } while (0)

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* GStreamer initialised, its debug output off */
static inline void
fuzz_init_gst (void)
{
  gst_init (NULL, NULL);
  gst_debug_set_default_threshold (GST_LEVEL_NONE);
}

#endif /* __WCS_FUZZ_COMMON_H__ */
