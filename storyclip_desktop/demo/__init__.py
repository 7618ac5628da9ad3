"""A local StoryClip + Supabase-Auth backend that speaks the wire contract.

Shares no code with the client (design rule): it stands in for servers we do not run.
"""
