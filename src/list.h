/* SPDX-License-Identifier: BSD-2-Clause */
/* Intrusive doubly linked list. */
#ifndef MSIDOM_LIST_H
#define MSIDOM_LIST_H

#include <stdbool.h>

struct msidom_list {
	struct msidom_list *prev, *next;
};

static inline void list_init(struct msidom_list *l)
{
	l->prev = l;
	l->next = l;
}

static inline bool list_empty(const struct msidom_list *l)
{
	return l->next == l;
}

static inline void list_add_tail(struct msidom_list *l, struct msidom_list *n)
{
	n->prev = l->prev;
	n->next = l;
	l->prev->next = n;
	l->prev = n;
}

static inline void list_del(struct msidom_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n;
	n->next = n;
}

#endif
