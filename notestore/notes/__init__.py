"""The NoteStore service logic, one module per subject.

`notestore.noteservice.NoteStoreService` composes the mixins defined here;
`base.ServiceBase` holds what they share (tokens, accounts, the write path)
and `convert` turns stored rows into EDAM structs.
"""
