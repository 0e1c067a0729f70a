/* Pieces of KMIP responses for the tests' stand-ins of kmip_exchange. */
#ifndef TRESOR_CANNED_H
#define TRESOR_CANNED_H

#include "tresor.h"

#include <stdint.h>

/* Opens a Response Message and writes its header. */
void canned_response_start(ttlv_writer *w, int major, int minor, int count);
/* A batch item of `operation` refused for `reason`. */
void canned_refused(ttlv_writer *w, uint32_t operation, uint32_t reason);
/* Ends the Response Message in w and hands it to resp as kmip_exchange would. */
void canned_response_end(ttlv_writer *w, struct kmip_response *resp);

#endif
